"""The notices of one event for one audience: whom to reach, with what context, how urgently."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.events import Envelope
from services.notify import recipients
from services.notify.context import render_context
from services.notify.messages import Notice
from services.notify.recipients import NotYetKnown

# Staff must hear these at once, whatever the hour or how many they had.
URGENT_KINDS = frozenset({"ticket.urgent_created", "sla.overdue", "sla.warning"})


def priority(kind: str, ticket: dict | None) -> str:
    """urgent for staff alarms and anything about an urgent ticket, else normal."""
    if kind in URGENT_KINDS or (ticket or {}).get("urgency") == "urgent":
        return "urgent"
    return "normal"


async def _citizen_ticket(session: AsyncSession, data: dict) -> dict:
    try:
        return await recipients.ticket(session, data["number"])
    except NotYetKnown:
        if not data.get("contact_phone"):
            raise
        # Events that carry the phone can reach the citizen without `ticket.created`.
        return {
            "number": data["number"],
            "contact_phone": data["contact_phone"],
            "region_code": data.get("region_code") or "",
        }


async def citizen(session: AsyncSession, envelope: Envelope, kind: str | None = None) -> Notice:
    """The citizen of the event's ticket: WeChat if the mini-program knows them, else SMS."""
    ticket = await _citizen_ticket(session, envelope.data)
    kind = kind or envelope.type
    return Notice(
        kind,
        "citizen",
        recipients.citizen(ticket),
        render_context(envelope, ticket),
        priority(kind, ticket),
        ticket["region_code"],
    )


async def unit(
    session: AsyncSession,
    envelope: Envelope,
    unit_code: str,
    *,
    audience: str = "handler",
    kind: str | None = None,
) -> Notice:
    """A unit's handlers (or leaders); retried later while routing has not described the unit."""
    unit = await recipients.known_unit(session, unit_code)
    ticket = await _known_ticket(session, envelope.data.get("number"))
    kind = kind or envelope.type
    addresses = recipients.leaders(unit) if audience == "leader" else recipients.handlers(unit)
    return Notice(
        kind,
        audience,
        addresses,
        render_context(envelope, ticket, unit_name=unit["name"]),
        priority(kind, ticket),
        unit["region_code"],
    )


async def region(
    session: AsyncSession,
    envelope: Envelope,
    audience: str,
    *,
    kind: str | None = None,
    unit_name: str = "",
) -> Notice:
    """The command center or the supervisors of the ticket's county."""
    ticket = await _known_ticket(session, envelope.data.get("number"))
    region = (ticket or {}).get("region_code") or envelope.data.get("region_code") or ""
    if not unit_name and envelope.data.get("unit_code"):
        unit = await recipients.unit(session, envelope.data["unit_code"])
        unit_name = unit["name"] if unit else envelope.data["unit_code"]
        region = region or (unit or {}).get("region_code", "")
    find = recipients.center if audience == "center" else recipients.supervisors
    kind = kind or envelope.type
    return Notice(
        kind,
        audience,
        await find(session, region),
        render_context(envelope, ticket, unit_name=unit_name),
        priority(kind, ticket),
        region,
    )


async def _known_ticket(session: AsyncSession, number: str | None) -> dict | None:
    try:
        return await recipients.ticket(session, number) if number else None
    except NotYetKnown:
        return None  # staff are told all the same, with what the event itself says
