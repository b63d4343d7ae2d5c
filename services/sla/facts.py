"""What the rates and reports count, kept beside the clocks: tickets, unit actions, evaluations."""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sla.models import clocks, evaluations, tickets, unit_events

# Clocks ended by these did not fail or succeed: the work went elsewhere or never started.
CANCELLED = ("transfer", "return", "returned", "merged", "expired", "rejected")
TICKET_FIELDS = ("category", "ticket_type", "urgency", "region_code", "town_code", "address")


async def upsert_ticket(session: AsyncSession, ticket_id, number: str, *, prefer_new: tuple[str, ...],
                        **values) -> None:
    """Insert or update a ticket's facts; fields in `prefer_new` win over stored values."""
    values = {k: v for k, v in values.items() if k in (*TICKET_FIELDS, "created_at")}
    await session.execute(_upsert(tuple(values), prefer_new),
                          {"p_ticket_id": ticket_id, "p_number": number,
                           **{f"p_{key}": value for key, value in values.items()}})


@cache
def _upsert(keys: tuple[str, ...], prefer_new: tuple[str, ...]):
    """Built once per shape: this runs for most events, and building it cost more than running it."""
    statement = insert(tickets).values(
        {key: bindparam(f"p_{key}", type_=tickets.c[key].type) for key in ("ticket_id", "number", *keys)})
    changed = {}
    for key in keys:
        new, old = statement.excluded[key], tickets.c[key]
        changed[key] = func.coalesce(new, old) if key in prefer_new else func.coalesce(old, new)
    return statement.on_conflict_do_update(index_elements=["ticket_id"],
                                           set_={**changed, "updated_at": func.now()})


async def region_of(session: AsyncSession, ticket_id) -> str | None:
    """The ticket's county, as ticket.created or a clock told us."""
    region = await session.scalar(select(tickets.c.region_code).where(tickets.c.ticket_id == ticket_id))
    if region is None:
        region = await session.scalar(select(clocks.c.region_code)
                                      .where(clocks.c.ticket_id == ticket_id).limit(1))
    return region


async def record_unit_event(session: AsyncSession, envelope, kind: str, units: list[str]) -> None:
    """Count a unit action (signed, returned, extended, reopened) for each unit named."""
    if not units:
        return
    region = await region_of(session, envelope.ticket_id)
    rows = [{"event_id": envelope.id, "unit_code": unit, "kind": kind,
             "ticket_id": envelope.ticket_id, "number": envelope.data["number"],
             "region_code": region, "at": envelope.occurred_at} for unit in units]
    await session.execute(insert(unit_events).values(rows).on_conflict_do_nothing())


async def signed_since(session: AsyncSession, ticket_id, unit_code: str, since: datetime) -> datetime | None:
    """When the unit signed for the ticket at or after `since` (events may arrive out of order)."""
    return await session.scalar(
        select(func.max(unit_events.c.at))
        .where(unit_events.c.ticket_id == ticket_id, unit_events.c.unit_code == unit_code,
               unit_events.c.kind == "signed", unit_events.c.at >= since))


async def handling_units(session: AsyncSession, ticket_id) -> list[str]:
    """The units whose latest completion clock was not cancelled: who answers for the result."""
    latest = (
        select(clocks.c.unit_code, clocks.c.ended_by)
        .where(clocks.c.ticket_id == ticket_id, clocks.c.kind == "completion")
        .ext(distinct_on(clocks.c.unit_code))
        .order_by(clocks.c.unit_code, clocks.c.cycle.desc())
    ).subquery()
    rows = await session.execute(select(latest.c.unit_code).where(
        func.coalesce(latest.c.ended_by, "").not_in(CANCELLED)))
    return [row.unit_code for row in rows]


async def record_evaluation(session: AsyncSession, envelope) -> None:
    """Keep a citizen's evaluation with the units that handled the ticket."""
    data = envelope.data
    await session.execute(insert(evaluations).values(
        event_id=envelope.id, ticket_id=envelope.ticket_id, number=data["number"],
        region_code=await region_of(session, envelope.ticket_id),
        units=await handling_units(session, envelope.ticket_id),
        resolved=bool(data["resolved"]), satisfaction=data["satisfaction"],
        auto=bool(data.get("auto")), at=envelope.occurred_at,
    ).on_conflict_do_nothing())
