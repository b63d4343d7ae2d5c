"""Clocks shaped for staff: deadlines, time left in (working) hours, warnings sent."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.workdays import TZ, Calendar
from services.sla import timing
from services.sla.calendars import note_estimated
from services.sla.models import clocks, tickets


async def ticket_clocks(session: AsyncSession, ref: str) -> list[dict]:
    """Every clock of a ticket given by UUID or number, oldest first."""
    try:
        condition = clocks.c.ticket_id == uuid.UUID(ref)
    except ValueError:
        condition = clocks.c.number == ref
    rows = await session.execute(select(clocks).where(condition).order_by(clocks.c.id))
    return [dict(row) for row in rows.mappings()]


async def ticket_region(session: AsyncSession, ticket_id) -> str | None:
    """The county of a ticket, as its facts or its clocks say."""
    return await session.scalar(select(tickets.c.region_code).where(tickets.c.ticket_id == ticket_id))


def clock_view(calendar: Calendar, clock: dict, now: datetime) -> dict:
    """One clock as GET /v1/tickets/{id}/sla shows it."""
    left = timing.seconds_left(calendar, clock, now)
    years = calendar.estimated_years(clock["started_at"], clock["deadline"])
    note_estimated(years)
    labels = {level.key: level.label for level in timing.levels(calendar, clock)}
    warnings = {labels[key]: _local(clock[flag]) for key, flag in timing.FLAGS.items()
                if key != "overdue" and key in labels}
    return {
        **{key: _local(clock[key]) for key in (
            "unit_code", "unit_name", "kind", "cycle", "sla_class", "basis", "started_at",
            "deadline", "state", "overdue_at", "stopped_at", "ended_by")},
        "overdue": clock["state"] == "breached" or (left is not None and left < 0),
        "time_left_hours": None if left is None else round(left / timing.HOUR, 2),
        "paused_hours": round(clock["paused_seconds"] / timing.HOUR, 2),
        "warnings": warnings,
        "extended": clock["extended_count"],
        "estimated": bool(years),
    }


def _local(value):
    """Times in Beijing time: what staff read on their deadlines."""
    return value.astimezone(TZ) if isinstance(value, datetime) else value


def ticket_view(calendar: Calendar, rows: list[dict], region: str | None, now: datetime) -> dict:
    """A ticket's clocks, flagged when any relies on an estimated calendar year."""
    views = [clock_view(calendar, row, now) for row in rows]
    return {
        "ticket_id": str(rows[0]["ticket_id"]),
        "number": rows[0]["number"],
        "region_code": region or rows[0]["region_code"],
        "estimated": any(view["estimated"] for view in views),
        "clocks": views,
    }
