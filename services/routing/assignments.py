"""Assignments: which unit holds a ticket in which role, and the `ticket.assigned` they announce."""

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.events import OUTBOX, SuggestionOut, TicketAssigned
from services.routing.models import assignments, tickets

URGENCY_ORDER = ("normal", "urgent")


async def active(session: AsyncSession, ticket_id: uuid.UUID) -> list[dict]:
    """The assignments a ticket has now, oldest first."""
    query = (select(assignments)
             .where(assignments.c.ticket_id == ticket_id, assignments.c.state == "active")
             .order_by(assignments.c.assigned_at))
    return list((await session.execute(query)).mappings())


async def returned_units(session: AsyncSession, ticket_id: uuid.UUID) -> frozenset[str]:
    """The units that have returned this ticket (退件) and are kept out of its suggestions."""
    query = select(assignments.c.unit_code).where(assignments.c.ticket_id == ticket_id,
                                                  assignments.c.state == "returned")
    return frozenset((await session.scalars(query)).all())


def sla_class(category: dict | None, urgency: str, ticket_type: str, units: int) -> str:
    """The time class: urgent first, then the category's own, a consultation, several units."""
    own = category["sla_class"] if category else "normal"
    if urgency == "urgent" or own == "urgent":
        return "urgent"
    if own != "normal":
        return own
    if ticket_type == "consult":
        return "consult"
    return "complex" if units > 1 else "normal"


def effective_urgency(ticket: dict, category: dict | None) -> str:
    """The ticket's urgency, raised to its category's default (社会治安 is urgent by nature)."""
    levels = [ticket["urgency"], category["urgency"] if category else "normal"]
    return max(levels, key=lambda u: URGENCY_ORDER.index(u) if u in URGENCY_ORDER else 0)


async def open_assignment(session: AsyncSession, ticket: dict, unit: dict, *, role: str,
                          reason: str, category: dict | None, units: int = 1,
                          suggestions: Sequence[SuggestionOut] = (),
                          excluded: Iterable[str] = (), by: str | None = None,
                          by_unit: str | None = None) -> dict:
    """Give a unit the ticket in a role, and tell it (and everyone) with `ticket.assigned`."""
    row = {"id": uuid.uuid4(), "ticket_id": ticket["id"], "unit_code": unit["code"],
           "role": role, "state": "active", "reason": reason,
           "suggestions": [s.model_dump() for s in suggestions], "excluded": sorted(excluded),
           "assigned_by": by, "assigned_at": func.clock_timestamp()}
    await session.execute(insert(assignments).values(**row))
    urgency = effective_urgency(ticket, category)
    await OUTBOX.stage(session, TicketAssigned(
        unit_code=unit["code"], number=ticket["number"], unit_name=unit["name"], role=role,
        assignment_id=row["id"], category=category["code"] if category else None,
        category_name=category["name"] if category else None,
        urgency=urgency, sla_class=sla_class(category, urgency, ticket["ticket_type"], units),
        statutory_days=category["statutory_days"] if category else None,
        ticket_type=ticket["ticket_type"], region_code=ticket["region_code"], reason=reason,
        suggestions=list(suggestions), assigned_by=by, assigned_by_unit=by_unit),
        ticket_id=ticket["id"])
    return row


async def end(session: AsyncSession, ids: Iterable[uuid.UUID], *, state: str, why: str) -> int:
    """Finish active assignments as returned, transferred or closed; returns how many."""
    ids = list(ids)
    if not ids:
        return 0
    result = await session.execute(
        update(assignments).where(assignments.c.id.in_(ids), assignments.c.state == "active")
        .values(state=state, ended_at=func.now(), end_reason=why))
    return result.rowcount


def _with_ticket():
    return (select(assignments, tickets.c.number, tickets.c.category, tickets.c.urgency,
                   tickets.c.region_code, tickets.c.town_code, tickets.c.title)
            .join(tickets, tickets.c.id == assignments.c.ticket_id))


async def queue(session: AsyncSession, unit_code: str, *, state: str | None, limit: int,
                offset: int) -> list[dict]:
    """A unit's queue: its assignments in a state (all states when None), oldest first."""
    query = _with_ticket().where(assignments.c.unit_code == unit_code)
    if state:
        query = query.where(assignments.c.state == state)
    query = query.order_by(assignments.c.assigned_at, assignments.c.id).limit(limit).offset(offset)
    return list((await session.execute(query)).mappings())


async def of_ticket(session: AsyncSession, ticket_id: uuid.UUID) -> list[dict]:
    """Every assignment a ticket has had, oldest first."""
    query = _with_ticket().where(assignments.c.ticket_id == ticket_id)
    return list((await session.execute(query.order_by(assignments.c.assigned_at))).mappings())
