"""When a message may go: quiet hours for citizens, and at most so many SMS an hour per phone."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
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


# Replicas claiming for the same phone take turns, so two cannot both send the 6th; the
# phones come sorted, so two claims never wait on each other in a circle.
_LOCK_PHONES = text("SELECT pg_advisory_xact_lock(hashtextextended('notify.phone:' || p, 0)) "
                    "FROM unnest(CAST(:phones AS text[])) AS p")


async def recent_sms(
    session: AsyncSession, phones: Iterable[str], now: datetime
) -> dict[str, list[datetime]]:
    """Per phone, when its SMS of the last hour were claimed, oldest first; the phones stay
    locked until the caller's transaction ends."""
    phones = sorted(set(phones))
    if not phones:
        return {}
    await session.execute(_LOCK_PHONES, {"phones": phones})
    rows = await session.execute(
        select(messages.c.recipient, messages.c.claimed_at)
        .where(
            messages.c.recipient.in_(phones),
            messages.c.channel == "sms",
            messages.c.priority != "code",
            messages.c.status.in_(_COUNTED),
            messages.c.claimed_at > now - WINDOW,
        )
        .order_by(messages.c.claimed_at)
    )
    recent: dict[str, list[datetime]] = {phone: [] for phone in phones}
    for phone, claimed_at in rows:
        recent[phone].append(claimed_at)
    return recent


def free_at(recent: list[datetime], now: datetime, limit: int) -> datetime | None:
    """When a phone with these recent SMS may get the next one; None if now, and then the
    send is counted in `recent` for the phone's next message of the same claim."""
    if len(recent) < limit:
        recent.append(now)
        return None
    return recent[len(recent) - limit] + WINDOW
