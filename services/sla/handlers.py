"""What sla does with each event (docs/events.md); one explicit table at the bottom.

Every handler reads time from the envelope (`occurred_at`): a clock starts when the
assignment happened, not when this replica got to it.
"""

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.consumer import Handler
from services.core.events import Envelope
from services.core.names import learn_category, learn_unit
from services.sla import calendars, facts, policies, timers
from services.sla.models import names
from services.sla.policies import COMPLETION, RESPONSE
from services.sla.timers import Assignment

log = structlog.get_logger()
CLOCK_ROLES = ("lead", "responsible")
REPLACING = ("transfer", "return")


async def on_created(session: AsyncSession, envelope: Envelope) -> None:
    """Remember the ticket's category, county and place for the reports."""
    data = envelope.data
    await facts.upsert_ticket(session, envelope.ticket_id, data["number"],
                              prefer_new=("created_at", "town_code", "address"),
                              created_at=envelope.occurred_at, **_ticket_fields(data))


async def on_assigned(session: AsyncSession, envelope: Envelope) -> None:
    """A lead or responsible unit's clocks start; a transfer or return ends the earlier ones."""
    data, at = envelope.data, envelope.occurred_at
    # Until ticket.created is seen (or if it never was), the assignment dates the ticket.
    await facts.upsert_ticket(session, envelope.ticket_id, data["number"],
                              prefer_new=("category", "urgency"), created_at=at,
                              **_ticket_fields(data))
    if data.get("reason") in REPLACING:
        await _stop_replaced(session, envelope)
    if data.get("role") not in CLOCK_ROLES:
        return
    calendar, table = await calendars.load(session), await policies.load(session)
    assignment = _assignment(envelope)
    for kind in (RESPONSE, COMPLETION):
        clock = await timers.start(session, calendar, table, assignment, kind, at)
        if clock is not None and kind == RESPONSE:
            signed = await facts.signed_since(session, envelope.ticket_id, data["unit_code"], at)
            if signed is not None:
                await timers.stop(session, clock, at=signed, reason="signed", judge=True)


async def _stop_replaced(session: AsyncSession, envelope: Envelope) -> None:
    # A dispatch or return is one routing decision whose assignments share a correlation id;
    # it replaces every earlier one, a unit kept in its role included (its clocks restart),
    # and whichever of its events comes first ends the old clocks.
    for clock in await timers.open_clocks(session, envelope.ticket_id):
        if not envelope.correlation_id or clock["correlation_id"] != envelope.correlation_id:
            await timers.stop(session, clock, at=envelope.occurred_at,
                              reason=envelope.data["reason"], judge=False)


async def on_signed(session: AsyncSession, envelope: Envelope) -> None:
    """签收: the unit's response clock stops, in time or late."""
    unit = envelope.data["unit_code"]
    await facts.record_unit_event(session, envelope, "signed", [unit])
    for clock in await timers.open_clocks(session, envelope.ticket_id, unit_code=unit, kind=RESPONSE):
        await timers.stop(session, clock, at=envelope.occurred_at, reason="signed", judge=True)


async def on_info_requested(session: AsyncSession, envelope: Envelope) -> None:
    """待完善: every clock of the ticket pauses until the citizen supplements."""
    calendar = await calendars.load(session)
    for clock in await timers.open_clocks(session, envelope.ticket_id):
        await timers.pause(session, calendar, clock, envelope.occurred_at)


async def on_supplemented(session: AsyncSession, envelope: Envelope) -> None:
    """The citizen supplemented: paused clocks count again, their deadlines moved on."""
    calendar = await calendars.load(session)
    for clock in await timers.open_clocks(session, envelope.ticket_id):
        await timers.resume(session, calendar, clock, envelope.occurred_at)


async def on_extended(session: AsyncSession, envelope: Envelope) -> None:
    """延期 approved: the unit's completion deadline moves to the granted one."""
    unit, calendar = envelope.data["unit_code"], await calendars.load(session)
    new_deadline = _instant(envelope.data["new_deadline"])
    await facts.record_unit_event(session, envelope, "extended", [unit])
    for clock in await timers.open_clocks(session, envelope.ticket_id, unit_code=unit, kind=COMPLETION):
        await timers.extend(session, calendar, clock, new_deadline, envelope.occurred_at)


async def on_reopened(session: AsyncSession, envelope: Envelope) -> None:
    """重办: each unit named gets a fresh completion clock."""
    units = envelope.data.get("unit_codes") or await facts.handling_units(session, envelope.ticket_id)
    await facts.record_unit_event(session, envelope, "reopened", units)
    calendar, table = await calendars.load(session), await policies.load(session)
    for unit in units:
        previous = await timers.latest_clock(session, envelope.ticket_id, unit, COMPLETION)
        if previous is None:
            continue
        if previous["stopped_at"] is None:
            await timers.stop(session, previous, at=envelope.occurred_at, reason="reopened", judge=False)
        await timers.start(session, calendar, table, _from_clock(previous, envelope),
                           COMPLETION, envelope.occurred_at)


async def on_returned(session: AsyncSession, envelope: Envelope) -> None:
    """退件 approved: the unit's clocks stop without a verdict."""
    unit = envelope.data["unit_code"]
    await facts.record_unit_event(session, envelope, "returned", [unit])
    for clock in await timers.open_clocks(session, envelope.ticket_id, unit_code=unit):
        await timers.stop(session, clock, at=envelope.occurred_at, reason="returned", judge=False)


def _stopping(reason: str, *, judge: bool) -> Handler:
    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        for clock in await timers.open_clocks(session, envelope.ticket_id):
            await timers.stop(session, clock, at=envelope.occurred_at, reason=reason, judge=judge)

    verdict = "judged met or breached" if judge else "without a verdict"
    handler.__doc__ = f"ticket.{reason}: every open clock of the ticket stops, {verdict}."
    return handler


async def on_evaluated(session: AsyncSession, envelope: Envelope) -> None:
    """The citizen's evaluation feeds 解决率 and 满意率."""
    await facts.record_evaluation(session, envelope)


async def on_urgency_changed(session: AsyncSession, envelope: Envelope) -> None:
    """The center changed the urgency: limits that follow urgency are recomputed."""
    urgency = envelope.data["urgency"]
    await facts.upsert_ticket(session, envelope.ticket_id, envelope.data["number"],
                              prefer_new=("urgency",), urgency=urgency)
    calendar, table = await calendars.load(session), await policies.load(session)
    for clock in await timers.open_clocks(session, envelope.ticket_id):
        await timers.reclass(session, calendar, table, clock, urgency, envelope.occurred_at)


async def on_unit_upserted(session: AsyncSession, envelope: Envelope) -> None:
    """Routing's directory changed: reports name the unit (or county, town) as it is now."""
    await learn_unit(session, names, envelope)


async def on_category_upserted(session: AsyncSession, envelope: Envelope) -> None:
    """Routing's catalog changed: reports name the category as it is now."""
    await learn_category(session, names, envelope)


def _ticket_fields(data: dict) -> dict:
    fields = {key: data.get(key) for key in facts.TICKET_FIELDS}
    return {key: value[:200] if isinstance(value, str) else value for key, value in fields.items()}


def _assignment(envelope: Envelope) -> Assignment:
    data = envelope.data
    return Assignment(
        ticket_id=envelope.ticket_id, number=data["number"], unit_code=data["unit_code"],
        unit_name=data.get("unit_name"), sla_class=data.get("sla_class") or "normal",
        urgency=data.get("urgency") or "normal", statutory_days=data.get("statutory_days"),
        region_code=data.get("region_code"), category=data.get("category"),
        correlation_id=envelope.correlation_id or "")


def _from_clock(clock: dict, envelope: Envelope) -> Assignment:
    return Assignment(
        ticket_id=clock["ticket_id"], number=clock["number"], unit_code=clock["unit_code"],
        unit_name=clock["unit_name"], sla_class=clock["sla_class"], urgency=clock["sla_class"],
        statutory_days=clock["statutory_days"], region_code=clock["region_code"],
        category=clock["category"], correlation_id=envelope.correlation_id or "")


def _instant(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _needs_ticket(handler: Handler) -> Handler:
    async def guarded(session: AsyncSession, envelope: Envelope) -> None:
        if envelope.ticket_id is None:
            log.warning("sla.event_without_ticket", event_type=envelope.type)
            return
        await handler(session, envelope)

    guarded.__doc__ = handler.__doc__
    return guarded


# Ticket events without a ticket id are skipped (logged); routing's directory events have none.
HANDLERS: dict[str, Handler] = {t: _needs_ticket(h) if t.startswith("ticket.") else h for t, h in {
    "ticket.created": on_created,
    "ticket.assigned": on_assigned,
    "ticket.signed": on_signed,
    "ticket.info_requested": on_info_requested,
    "ticket.supplemented": on_supplemented,
    "ticket.extended": on_extended,
    "ticket.reopened": on_reopened,
    "ticket.returned": on_returned,
    "ticket.resolved": _stopping("resolved", judge=True),
    "ticket.closed": _stopping("closed", judge=True),
    "ticket.merged": _stopping("merged", judge=False),
    "ticket.expired": _stopping("expired", judge=False),
    "ticket.rejected": _stopping("rejected", judge=False),
    "ticket.evaluated": on_evaluated,
    "ticket.urgency_changed": on_urgency_changed,
    "unit.upserted": on_unit_upserted,
    "category.upserted": on_category_upserted,
}.items()}

BINDINGS = tuple(f"{t}.*" if t == "ticket.assigned" else t for t in HANDLERS)
