"""The scheduler: announces warnings and breaches exactly once, with any number of replicas.

Due clocks are taken with FOR UPDATE SKIP LOCKED by an indexed range scan on
`next_check_at`; the events go through the outbox in the same transaction that records
them as sent, so neither a second replica nor a restart can announce anything twice, and
a replica that was down announces, on its first step, whatever fell due meanwhile.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import Database
from services.core.events import Event
from services.core.outbox import Outbox
from services.core.workdays import Calendar
from services.sla import calendars, timing
from services.sla.events import SlaOverdue, SlaWarning
from services.sla.models import clocks

BATCH = 200


def utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """One replica's scheduler; `now` is injected so tests choose the time."""

    def __init__(self, db: Database, outbox: Outbox, *, now: Callable[[], datetime] = utc_now,
                 batch: int = BATCH):
        self.db, self.outbox, self.now, self.batch = db, outbox, now, batch

    async def step(self, now: datetime | None = None) -> int:
        """Announce what is due at `now` (default: the clock) in one batch; returns clocks taken."""
        async with self.db.transaction() as session:
            return await run_due(session, self.outbox, now or self.now(), batch=self.batch)

    async def tick(self) -> None:
        """Steps until nothing more is due (the periodic loop's job)."""
        while await self.step() >= self.batch:
            pass


async def run_due(session: AsyncSession, outbox: Outbox, now: datetime, *, batch: int = BATCH) -> int:
    """Announce every due point of up to `batch` clocks; other replicas skip the locked ones."""
    rows = (await session.execute(
        select(clocks)
        .where(clocks.c.next_check_at <= now)
        .order_by(clocks.c.next_check_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )).mappings().all()
    if not rows:
        return 0
    calendar = await calendars.load(session)
    changes = [await announce(session, outbox, calendar, dict(row), now) for row in rows]
    await session.execute(_RECORD, changes)  # one round trip for the whole batch
    return len(rows)


_RECORDED = ("warned_ratio_at", "warned_before_at", "overdue_at", "state", "next_check_at")
_RECORD = (update(clocks).where(clocks.c.id == bindparam("clock_id"))
           .values({column: bindparam(column) for column in _RECORDED}))


async def announce(session: AsyncSession, outbox: Outbox, calendar: Calendar, clock: dict,
                   now: datetime) -> dict:
    """Stage the events due on one clock; returns what to record: flags sent, next check."""
    for level in timing.due_now(calendar, clock, now):
        await outbox.stage(session, _event(calendar, clock, level, now), ticket_id=clock["ticket_id"])
        clock[level.flag] = now
        if level.key == "overdue":
            clock["state"] = "breached"
    clock["next_check_at"] = timing.next_check(calendar, clock, after=now)
    return {"clock_id": clock["id"], **{column: clock[column] for column in _RECORDED}}


def _event(calendar: Calendar, clock: dict, level: timing.Level, now: datetime) -> Event:
    common = {"unit_code": clock["unit_code"], "number": clock["number"], "clock": clock["kind"],
              "deadline": clock["deadline"]}
    if level.key == "overdue":
        return SlaOverdue(**common)
    left = timing.seconds_left(calendar, clock, now) or 0.0
    return SlaWarning(**common, seconds_left=round(left), level=level.label)
