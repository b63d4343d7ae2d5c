"""Clocks in Postgres: start, stop, pause, resume, extend and re-class them, row by row.

Every change recomputes `next_check_at`, the one column the scheduler scans, so the
scheduler never has to evaluate a clock that has nothing due, and is announced as
`sla.clock_changed` in the same transaction, so intake and the unit's own system always
know the deadline in force.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.workdays import Calendar
from services.sla import timing
from services.sla.calendars import note_estimated
from services.sla.events import OUTBOX, SlaClockChanged
from services.sla.models import clocks
from services.sla.policies import COMPLETION, RESPONSE, pick, response_class

OPEN = clocks.c.stopped_at.is_(None)
TIME_CLASSES = ("normal", "urgent")


@dataclass(frozen=True)
class Assignment:
    """What a new clock needs to know about its ticket and unit."""

    ticket_id: object
    number: str
    unit_code: str
    unit_name: str | None
    sla_class: str
    urgency: str
    statutory_days: int | None
    region_code: str | None
    category: str | None
    correlation_id: str = ""


async def open_clocks(session: AsyncSession, ticket_id, *, unit_code: str | None = None,
                      kind: str | None = None) -> list[dict]:
    """The ticket's clocks that have not ended, locked for this transaction."""
    query = select(clocks).where(clocks.c.ticket_id == ticket_id, OPEN)
    if unit_code is not None:
        query = query.where(clocks.c.unit_code == unit_code)
    if kind is not None:
        query = query.where(clocks.c.kind == kind)
    rows = await session.execute(query.order_by(clocks.c.id).with_for_update())
    return [dict(row) for row in rows.mappings()]


async def save(session: AsyncSession, calendar: Calendar, clock: dict, **changes) -> dict:
    """Write changes to a clock and when the scheduler must look at it next."""
    clock.update(changes)
    clock["next_check_at"] = timing.next_check(calendar, clock)
    await session.execute(update(clocks).where(clocks.c.id == clock["id"])
                          .values(**changes, next_check_at=clock["next_check_at"]))
    await announce_change(session, calendar, clock)
    return clock


async def announce_change(session: AsyncSession, calendar: Calendar | None, clock: dict) -> None:
    """Stage `sla.clock_changed` with the clock's state, deadline and first warning point."""
    state = "stopped" if clock["stopped_at"] else "paused" if clock["paused_at"] else "running"
    running = state == "running" and calendar is not None
    deadline, warn_at = (clock["deadline"], first_warning(calendar, clock)) if running else (None, None)
    await OUTBOX.stage(session, SlaClockChanged(
        unit_code=clock["unit_code"], number=clock["number"], clock=clock["kind"], state=state,
        deadline=_utc(deadline), warn_at=_utc(warn_at)), ticket_id=clock["ticket_id"])


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


async def announce_open(session: AsyncSession, calendar: Calendar) -> int:
    """Stage `sla.clock_changed` for every clock not ended: how consumers that came later
    (intake's lists after its migration 0003) learn the deadlines already in force."""
    rows = (await session.execute(select(clocks).where(OPEN).order_by(clocks.c.id))).mappings().all()
    for row in rows:
        await announce_change(session, calendar, dict(row))
    return len(rows)


def first_warning(calendar: Calendar, clock: dict) -> datetime | None:
    """When the clock's first warning level falls (the 即将超期 point), if its policy warns."""
    return min((level.due for level in timing.levels(calendar, clock) if level.key != "overdue"),
               default=None)


async def start(session: AsyncSession, calendar: Calendar, table: dict, assignment: Assignment,
                kind: str, at: datetime) -> dict | None:
    """Start a unit's clock unless one of this kind already runs; None if it did."""
    a = assignment
    if await open_clocks(session, a.ticket_id, unit_code=a.unit_code, kind=kind):
        return None
    sla_class = response_class(a.urgency) if kind == RESPONSE else a.sla_class
    statutory = a.statutory_days if kind == COMPLETION else None
    policy = pick(table, kind, sla_class)
    basis, seconds = timing.allowance(policy, statutory)
    row = {
        "ticket_id": a.ticket_id, "number": a.number, "unit_code": a.unit_code,
        "unit_name": a.unit_name, "kind": kind,
        "sla_class": sla_class, "statutory_days": statutory, "basis": basis,
        "allowed_seconds": seconds, "started_at": at,
        "deadline": timing.advance(calendar, basis, at, seconds), "paused_at": None,
        "paused_seconds": 0.0, "state": "running", "warn_ratio": policy["warn_ratio"],
        "warn_before_seconds": (policy["warn_before_hours"] or 0) * timing.HOUR or None,
        "warned_ratio_at": None, "warned_before_at": None, "overdue_at": None,
        "stopped_at": None, "region_code": a.region_code, "category": a.category,
        "correlation_id": a.correlation_id[:100],
    }
    row["next_check_at"] = timing.next_check(calendar, row)
    note_estimated(calendar.estimated_years(at, row["deadline"]))
    # The unit's next cycle of this clock (a reopened ticket starts cycle 2), in the insert.
    cycle = (select(func.coalesce(func.max(clocks.c.cycle), 0) + 1)
             .where(clocks.c.ticket_id == a.ticket_id, clocks.c.unit_code == a.unit_code,
                    clocks.c.kind == kind)
             .scalar_subquery())
    inserted = (await session.execute(insert(clocks).values(**row, cycle=cycle)
                                      .on_conflict_do_nothing()
                                      .returning(clocks.c.id, clocks.c.cycle))).first()
    if inserted is None:
        return None
    started = {**row, "id": inserted.id, "cycle": inserted.cycle}
    await announce_change(session, calendar, started)
    return started


async def stop(session: AsyncSession, clock: dict, *, at: datetime, reason: str,
               judge: bool) -> None:
    """End a clock: judged met/breached when the work was done, else just stopped."""
    if judge:
        state = timing.verdict(clock, at)
    else:
        state = "breached" if clock["state"] == "breached" else "stopped"
    clock.update(state=state, stopped_at=at, ended_by=reason, next_check_at=None)
    await session.execute(update(clocks).where(clocks.c.id == clock["id"]).values(
        state=state, stopped_at=at, ended_by=reason, next_check_at=None))
    await announce_change(session, None, clock)


async def pause(session: AsyncSession, calendar: Calendar, clock: dict, at: datetime) -> None:
    """Stop counting while the ticket waits for the citizen (待完善)."""
    if clock["paused_at"] is None:
        await save(session, calendar, clock, paused_at=at, state="paused")


async def resume(session: AsyncSession, calendar: Calendar, clock: dict, at: datetime) -> None:
    """Count again; the deadline moves on by the paused time that would have counted."""
    if clock["paused_at"] is None:
        return
    gap = max(timing.measure(calendar, clock["basis"], clock["paused_at"], at), 0.0)
    deadline = timing.advance(calendar, clock["basis"], clock["deadline"], gap)
    await save(session, calendar, clock, paused_at=None, deadline=deadline,
               paused_seconds=clock["paused_seconds"] + gap,
               state=_state_at(clock, deadline, at, paused=False))


async def extend(session: AsyncSession, calendar: Calendar, clock: dict, new_deadline: datetime,
                 at: datetime) -> None:
    """The center granted a new completion deadline."""
    await save(session, calendar, clock, deadline=new_deadline,
               extended_count=clock["extended_count"] + 1,
               state=_state_at(clock, new_deadline, at, paused=clock["paused_at"] is not None))


async def reclass(session: AsyncSession, calendar: Calendar, table: dict, clock: dict,
                  urgency: str, at: datetime) -> None:
    """Recompute a clock's limit after the ticket's urgency changed."""
    follows = clock["sla_class"] in TIME_CLASSES and not (clock["statutory_days"]
                                                          or clock["extended_count"])
    if clock["kind"] != RESPONSE and not follows:
        return  # complex, consultation, statutory and extended limits do not follow urgency
    sla_class = response_class(urgency)
    if sla_class == clock["sla_class"]:
        return
    basis, seconds = timing.allowance(pick(table, clock["kind"], sla_class), None)
    deadline = timing.advance(calendar, basis, clock["started_at"], seconds + clock["paused_seconds"])
    await save(session, calendar, clock, sla_class=sla_class, basis=basis, allowed_seconds=seconds,
               deadline=deadline,
               state=_state_at(clock, deadline, at, paused=clock["paused_at"] is not None))


def _state_at(clock: dict, deadline: datetime, at: datetime, *, paused: bool) -> str:
    """The state of a clock given a new deadline; a breach once announced stays announced."""
    if paused:
        return "paused"
    if clock["overdue_at"] is not None and deadline <= at:
        return "breached"
    return "running"


async def latest_clock(session: AsyncSession, ticket_id, unit_code: str, kind: str) -> dict | None:
    """The unit's newest clock of this kind, ended or not, locked."""
    row = (await session.execute(
        select(clocks)
        .where(clocks.c.ticket_id == ticket_id, clocks.c.unit_code == unit_code, clocks.c.kind == kind)
        .order_by(clocks.c.cycle.desc()).limit(1).with_for_update())).mappings().first()
    return dict(row) if row else None
