"""Tickets made of inbound SMS: filed complete, or 待完善 with a reply saying what is missing."""

import re

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.names import UNIT
from services.core.outbox import Outbox
from services.intake import directory, events
from services.intake.models import names, tickets
from services.intake.schemas import Contact, Location, TicketIn, valid_id_number
from services.intake.settings import IntakeSettings
from services.intake.sms_parser import Parsed, checked, missing_text
from services.intake.statuses import Status
from services.intake.submission import TicketNumbers, create_ticket, created_event, derive_title
from services.intake.timeline import record

GATEWAY = Principal("channel:sms", Role.channel)
_CODE = {"county": re.compile(r"^\d{6}$"), "town": re.compile(r"^\d{9}(\d{3})?$")}
NO_NAME = "未提供"
NO_MATTER = "（短信未写明反映的具体事项）"
TYPES = (("consult", re.compile(r"咨询|请问|怎么办理|如何办理")), ("report", re.compile(r"举报")),
         ("suggestion", re.compile(r"建议")))


def ticket_type(text: str) -> str:
    """咨询, 举报 or 建议 when the text says so; a complaint otherwise."""
    return next((kind for kind, words in TYPES if words.search(text)), "complaint")


async def place_of(session: AsyncSession, text: str, default_region: str) -> tuple[str, str | None]:
    """The county and town the text names (by routing's names), else the default region."""
    rows = (await session.execute(select(names.c.code, names.c.name, names.c.unit_kind, names.c.parent,
                                         names.c.region_code)
                                  .where(names.c.kind == UNIT, names.c.unit_kind.in_(("county", "town")),
                                         names.c.active.is_(True)))).all()
    for row in sorted(rows, key=lambda row: row.unit_kind != "town"):
        if len(row.name) >= 2 and row.name in text and _CODE[row.unit_kind].match(row.code):
            if row.unit_kind == "town":  # a town's county is its region, as directory.py reads it
                return row.region_code or default_region, row.code
            return row.code, None
    return default_region, None


async def _fields(session: AsyncSession, settings: IntakeSettings, phone: str, parsed: Parsed) -> dict:
    where = " ".join(part for part in (parsed.place, parsed.matter, parsed.address) if part)
    region, town = await place_of(session, where, settings.sms_default_region)
    valid_id = parsed.id_number if parsed.id_number and valid_id_number(parsed.id_number.upper()) else None
    return {
        "content": (parsed.matter or NO_MATTER)[:2000],
        "location": Location(region_code=region, town_code=town,
                             address=parsed.place[:200] if parsed.place else None),
        "contact": Contact(name=(parsed.name or NO_NAME)[:50], phone=phone, id_number=valid_id,
                           address=parsed.address[:200] if parsed.address else None),
    }


async def open_ticket(session: AsyncSession, outbox: Outbox, settings: IntakeSettings, phone: str,
                      parsed: Parsed, *, prefix: str, numbers: TicketNumbers):
    """A new ticket from a sender's message: submitted, or 待完善 with the reply staged."""
    fields = await _fields(session, settings, phone, parsed)
    body = TicketIn(channel="sms", type=ticket_type(fields["content"]), **fields)
    missing = None if parsed.complete else missing_text(parsed)
    row = await create_ticket(session, outbox, body, GATEWAY, prefix=prefix, numbers=numbers, missing=missing)
    return row["id"]


def unannounced(ticket: dict) -> bool:
    """An SMS ticket still waiting for its first complete message (no `ticket.created` yet)."""
    return Status(ticket["status"]) is Status.pending_info and ticket["status_before_info"] is None


def parsed_from(ticket: dict) -> Parsed:
    """What earlier messages gave, as the ticket keeps it."""
    return checked(Parsed(
        name=None if ticket["contact_name"] == NO_NAME else ticket["contact_name"],
        address=ticket["contact_address"], id_number=ticket["contact_id_number"],
        matter=None if ticket["content"] == NO_MATTER else ticket["content"],
        place=ticket["address"]))


async def complete_or_ask(session: AsyncSession, outbox: Outbox, settings: IntakeSettings, ticket: dict,
                          parsed: Parsed) -> None:
    """Fill the ticket from all messages: filed once complete, else asked again."""
    fields = await _fields(session, settings, ticket["contact_phone"], parsed)
    location, contact = fields["location"], fields["contact"]
    values = {"content": fields["content"], "title": derive_title(fields["content"]),
              "region_code": location.region_code, "town_code": location.town_code,
              "address": location.address, "contact_name": contact.name,
              "contact_id_number": contact.id_number, "contact_address": contact.address,
              "type": ticket_type(fields["content"]), "updated_at": func.now()}
    if parsed.complete:  # filed now: routing must know its place (else retried once it does)
        await directory.refuse_unknown(session, region=location.region_code, town=location.town_code,
                                       category=None)
        values.update(status=Status.submitted.value, info_request=None, pending_info_since=None)
    else:
        values.update(info_request=missing_text(parsed))
    row = (await session.execute(update(tickets).where(tickets.c.id == ticket["id"]).values(values)
                                 .returning(*tickets.c))).mappings().one()
    if parsed.complete:
        await record(session, row["id"], action="supplement", status=Status.submitted, actor=GATEWAY,
                     text="短信补充完整，诉求已提交")
        await outbox.stage(session, created_event(dict(row)), ticket_id=row["id"])
        return
    await record(session, row["id"], action="request_info", status=Status.pending_info, actor=GATEWAY,
                 text=row["info_request"])
    await outbox.stage(session, events.TicketInfoRequested(
        number=row["number"], contact_phone=row["contact_phone"], missing=row["info_request"]),
        ticket_id=row["id"])
