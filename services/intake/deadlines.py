"""The deadlines on intake's lists, from sla's events (docs/events.md).

Every unit's clocks are kept in `deadlines` as sla last described them; the lead unit's
running ones are copied onto the ticket (response_due, completion_due, warn_at, warned),
where the lists filter and sort on them. sla's events may arrive late or out of order:
an event older than the one a clock row holds changes nothing.
"""

import uuid
from datetime import datetime
from typing import Literal

import structlog
from pydantic import BaseModel
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import service
from services.intake.models import deadlines, tickets

log = structlog.get_logger()
Clock = Literal["response", "completion"]


class ClockChanged(BaseModel):
    """`sla.clock_changed`: a unit's clock started, paused, resumed, moved or stopped."""

    number: str
    unit_code: str
    clock: Clock
    state: Literal["running", "paused", "stopped"]
    deadline: datetime | None = None
    warn_at: datetime | None = None


class ClockAnnounced(BaseModel):
    """`sla.warning` or `sla.overdue`: a running clock reached a warning level or its deadline."""

    number: str
    unit_code: str
    clock: Clock
    deadline: datetime


async def record_change(session: AsyncSession, change: ClockChanged, at: datetime) -> None:
    """Keep a clock's new state (a restarted clock has not warned yet) and update the ticket."""
    running = change.state == "running"
    await _record(session, change.number, change.unit_code, change.clock, at, state=change.state,
                  deadline=change.deadline if running else None,
                  warn_at=change.warn_at if running else None, warned=False)


async def record_announcement(session: AsyncSession, announced: ClockAnnounced, at: datetime, *,
                              warning: bool) -> None:
    """A warning or breach says the clock runs with this deadline; a warning marks it warned."""
    values = {"state": "running", "deadline": announced.deadline}
    if warning:
        values["warned"] = True
    await _record(session, announced.number, announced.unit_code, announced.clock, at, **values)


async def _record(session: AsyncSession, number: str, unit_code: str, clock: str, at: datetime,
                  **values) -> None:
    # The ticket's row lock orders concurrent events of one ticket: each projects what the
    # one before it committed.
    ticket = await service.find(session, number, lock=True)
    if ticket is None:
        log.warning("deadlines.unknown_ticket", number=number)
        return
    statement = insert(deadlines).values(ticket_id=ticket["id"], unit_code=unit_code, clock=clock,
                                         changed_at=at, **values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[deadlines.c.ticket_id, deadlines.c.unit_code, deadlines.c.clock],
        set_={column: statement.excluded[column] for column in (*values, "changed_at")},
        where=deadlines.c.changed_at <= statement.excluded.changed_at))
    await project(session, ticket["id"])


async def project(session: AsyncSession, ticket_id: uuid.UUID) -> None:
    """Copy the lead unit's running clocks onto the ticket (none while it has no lead)."""
    lead = and_(deadlines.c.ticket_id == tickets.c.id, deadlines.c.unit_code == tickets.c.lead_unit,
                deadlines.c.state == "running")

    def deadline_of(clock: str):
        return select(deadlines.c.deadline).where(lead, deadlines.c.clock == clock).scalar_subquery()

    await session.execute(update(tickets).where(tickets.c.id == ticket_id).values(
        response_due=deadline_of("response"), completion_due=deadline_of("completion"),
        warn_at=select(func.min(deadlines.c.warn_at)).where(lead).scalar_subquery(),
        warned=select(func.coalesce(func.bool_or(deadlines.c.warned), False)).where(lead)
        .scalar_subquery()))
