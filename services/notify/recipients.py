"""Whom notify can reach: units from routing's directory, citizens per ticket, units per ticket."""

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import consumer
from services.core.events import Envelope
from services.notify.models import ticket_units, tickets, units

HANDLING_ROLES = ("lead", "responsible", "cooperating")


class NotYetKnown(consumer.NotYetKnown):
    """An event names a ticket or unit notify has not heard of yet: retry the event later."""


@dataclass(frozen=True)
class Address:
    """One place to send to: a phone (sms) or an openid (wechat), with its SMS fallback."""

    channel: str
    to: str
    fallback_phone: str | None = None


async def upsert_unit(session: AsyncSession, data: dict) -> None:
    """Remember a unit and its people as routing's directory describes them now."""
    row = {
        "code": data["code"],
        "name": data["name"],
        "kind": data.get("kind") or "department",
        "parent": data.get("parent"),
        "region_code": data.get("region_code") or "",
        "handler_phones": list(data.get("handler_phones") or ()),
        "handler_openids": list(data.get("handler_openids") or ()),
        "leader_phones": list(data.get("leader_phones") or ()),
        "active": data.get("active", True),
    }
    statement = insert(units).values(row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[units.c.code],
            set_={
                **{k: statement.excluded[k] for k in row if k != "code"},
                "updated_at": func.now(),
            },
        )
    )


async def remember_ticket(session: AsyncSession, envelope: Envelope) -> dict:
    """Keep the citizen's contact of a new ticket; returns the row."""
    data = envelope.data
    row = {
        "number": data["number"],
        "ticket_id": envelope.ticket_id,
        "contact_phone": data["contact_phone"],
        "citizen_openid": data.get("citizen_openid"),
        "anonymous": bool(data.get("anonymous")),
        "urgency": data.get("urgency") or "normal",
        "category": data.get("category"),
        "title": (data.get("title") or "")[:100],
        "region_code": data.get("region_code") or "",
    }
    await session.execute(insert(tickets).values(row).on_conflict_do_nothing())
    return row


async def ticket(session: AsyncSession, number: str) -> dict:
    """What notify knows of a ticket; NotYetKnown until its `ticket.created` arrived."""
    row = (
        (await session.execute(select(tickets).where(tickets.c.number == number)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotYetKnown(f"ticket {number}")
    return dict(row)


async def bind_openid(session: AsyncSession, phone: str, openid: str) -> None:
    """A citizen logged in from the mini-program: its tickets' messages go by WeChat from now."""
    await session.execute(update(tickets).where(tickets.c.contact_phone == phone)
                          .values(citizen_openid=openid))


async def set_urgency(session: AsyncSession, number: str, urgency: str) -> None:
    await session.execute(update(tickets).where(tickets.c.number == number).values(urgency=urgency))


async def unit(session: AsyncSession, code: str) -> dict | None:
    """A unit of the directory, or None."""
    row = (await session.execute(select(units).where(units.c.code == code))).mappings().first()
    return dict(row) if row else None


async def known_unit(session: AsyncSession, code: str) -> dict:
    """A unit an event addresses; NotYetKnown until its `unit.upserted` arrived."""
    row = await unit(session, code)
    if row is None:
        raise NotYetKnown(f"unit {code}")
    return row


async def assign(session: AsyncSession, envelope: Envelope) -> None:
    """A unit now handles the ticket (again); a transfer takes it from the units before."""
    data = envelope.data
    if data.get("reason") == "transfer":
        await session.execute(
            update(ticket_units)
            .where(
                ticket_units.c.number == data["number"],
                ticket_units.c.decision != envelope.correlation_id,
            )
            .values(active=False)
        )
    if data.get("category_name"):
        await session.execute(
            update(tickets)
            .where(tickets.c.number == data["number"])
            .values(category=data.get("category"), category_name=data["category_name"])
        )
    values = {
        "number": data["number"],
        "unit_code": data["unit_code"],
        "unit_name": data.get("unit_name") or data["unit_code"],
        "role": data["role"],
        "decision": envelope.correlation_id,
        "active": True,
    }
    statement = insert(ticket_units).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ticket_units.c.number, ticket_units.c.unit_code],
            set_={k: statement.excluded[k] for k in ("role", "unit_name", "decision", "active")},
        )
    )


async def release(session: AsyncSession, number: str) -> None:
    """Every unit lets go of the ticket (a return was approved: the center dispatches anew)."""
    await session.execute(
        update(ticket_units).where(ticket_units.c.number == number).values(active=False)
    )


async def handling_units(session: AsyncSession, number: str) -> list[dict]:
    """The units handling a ticket now, the lead unit first."""
    rows = (
        await session.execute(
            select(ticket_units)
            .where(
                ticket_units.c.number == number,
                ticket_units.c.active,
                ticket_units.c.role.in_(HANDLING_ROLES),
            )
            .order_by((ticket_units.c.role != "lead"), ticket_units.c.assigned_at)
        )
    ).mappings()
    return [dict(row) for row in rows]


def citizen(row: dict) -> list[Address]:
    """WeChat when the citizen gave the mini-program an openid (SMS as fallback), else SMS."""
    if row.get("citizen_openid"):
        return [Address("wechat", row["citizen_openid"], row["contact_phone"])]
    return [Address("sms", row["contact_phone"])]


def handlers(unit_row: dict | None) -> list[Address]:
    """A unit's handlers: an SMS to each duty phone and the mini-program todo to each openid."""
    if not unit_row or not unit_row["active"]:
        return []
    return [
        *(Address("sms", p) for p in unit_row["handler_phones"]),
        *(Address("wechat", o) for o in unit_row["handler_openids"]),
    ]


def leaders(unit_row: dict | None) -> list[Address]:
    """A unit's leaders, by SMS."""
    if not unit_row or not unit_row["active"]:
        return []
    return [Address("sms", p) for p in unit_row["leader_phones"]]


def _upward(region_code: str) -> list[str]:
    # A county's own office first, then the prefecture's (532622 -> 532600).
    return list(dict.fromkeys([region_code, region_code[:4] + "00"]))


async def center(session: AsyncSession, region_code: str) -> list[Address]:
    """The command center of the ticket's county (the prefecture's when the county has none)."""
    for region in _upward(region_code):
        found = handlers(await unit(session, f"cc-{region}"))
        if found:
            return found
    return []


async def supervisors(session: AsyncSession, region_code: str) -> list[Address]:
    """The county's 督查室; without one, the leaders of the command center."""
    for region in _upward(region_code):
        office = await unit(session, f"{region}-supervision")
        found = handlers(office) + leaders(office)
        if found:
            return found
    for region in _upward(region_code):
        found = leaders(await unit(session, f"cc-{region}"))
        if found:
            return found
    return []
