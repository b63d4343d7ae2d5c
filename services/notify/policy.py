"""When a message may go: quiet hours for citizens, and at most so many SMS an hour per phone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import messages

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(hours=1)
# What has reached, or is reaching, a phone: counted against its hourly limit.
_COUNTED = ("sending", "sent", "delivered")


def quiet_applies(row) -> bool:
    """Citizens are not woken at night, except for login codes and urgent tickets."""
    return row.audience == "citizen" and row.priority == "normal"


def limit_applies(row) -> bool:
    """The hourly limit holds for SMS, except login codes and urgent messages to staff."""
    if row.channel != "sms" or row.priority == "code":
        return False
    return not (row.priority == "urgent" and row.audience != "citizen")


def quiet_until(now: datetime, *, start_hour: int, end_hour: int) -> datetime | None:
    """The end of the quiet hours `now` falls in (Asia/Shanghai), or None outside them."""
    local = now.astimezone(SHANGHAI)
    if end_hour <= local.hour < start_hour:
        return None
    morning = local.replace(hour=end_hour, minute=0, second=0, microsecond=0)
    if local.hour >= start_hour:
        morning += timedelta(days=1)
    return morning.astimezone(UTC)


async def phone_free_at(
    session: AsyncSession, phone: str, now: datetime, limit: int
) -> datetime | None:
    """When the phone may get its next SMS, or None if it may now; serialised per phone."""
    # Replicas claiming for the same phone take turns, so two cannot both send the 6th.
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"notify.phone:{phone}", 0)))
    )
    recent = (
        (
            await session.execute(
                select(messages.c.claimed_at)
                .where(
                    messages.c.recipient == phone,
                    messages.c.channel == "sms",
                    messages.c.priority != "code",
                    messages.c.status.in_(_COUNTED),
                    messages.c.claimed_at > now - WINDOW,
                )
                .order_by(messages.c.claimed_at)
            )
        )
        .scalars()
        .all()
    )
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + WINDOW
