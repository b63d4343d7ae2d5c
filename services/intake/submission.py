"""A new ticket: its number, its row, its first timeline entry and `ticket.created`."""

import re
import uuid
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Table, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.outbox import Outbox
from services.core.problems import field_error
from services.core.vocabulary import CHANNELS, label
from services.intake import directory, events
from services.intake.accounts import openid_of
from services.intake.models import ticket_number_seq, tickets, timeline
from services.intake.schemas import TicketIn
from services.intake.statuses import Status
from services.intake.timeline import entry as timeline_entry

SHANGHAI = ZoneInfo("Asia/Shanghai")
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")


class TicketNumbers:
    """Ticket numbers from the database sequence, reserved a block at a time, so a submission
    does not wait on a query for its number. Unique across replicas; what a process had
    reserved and not used when it stops is skipped."""

    def __init__(self, block: int = 50):
        self.block = block
        self._free: list[int] = []

    async def next(self, session: AsyncSession, prefix: str, now: datetime) -> str:
        """A unique human-readable number: prefix, local date, sequence (WS20261123000123)."""
        if not self._free:
            reserved = await session.scalars(
                select(ticket_number_seq.next_value()).select_from(func.generate_series(1, self.block)))
            self._free.extend(sorted(reserved, reverse=True))
        return f"{prefix}{now.astimezone(SHANGHAI):%Y%m%d}{self._free.pop():06d}"


def derive_title(content: str, limit: int = 30) -> str:
    """The first sentence of the content, cut to fit a title."""
    first = _SENTENCE_END.split(content.strip(), maxsplit=1)[0].strip() or "语音诉求"
    return first if len(first) <= limit else first[: limit - 1] + "…"


def owner_phone(body: TicketIn, caller: Principal) -> str:
    """Citizens own what they submit; channel tickets belong to the contact's phone."""
    if caller.role is Role.citizen:
        if body.contact.phone and body.contact.phone != caller.phone:
            raise field_error("contact.phone", "联系电话须与登录手机号一致")
        return caller.phone
    if not body.contact.phone:
        raise field_error("contact.phone", "必填项")
    return body.contact.phone


async def create_ticket(session: AsyncSession, outbox: Outbox, body: TicketIn, caller: Principal,
                        *, prefix: str, numbers: TicketNumbers, extra: dict | None = None,
                        missing: str | None = None) -> dict:
    """Record a new ticket, its first timeline entry and `ticket.created`; `extra` columns too.

    With `missing` (an SMS that lacks fields) it waits 待完善 and only the citizen is asked;
    `ticket.created` follows once it is complete (sms_channel.py).
    """
    phone = owner_phone(body, caller)
    await directory.refuse_unknown(session, region=body.location.region_code,
                                   town=body.location.town_code, category=body.category)
    now = datetime.now(UTC)
    row = {
        "id": uuid.uuid4(),
        "number": await numbers.next(session, prefix, now),
        "channel": body.channel.value,
        "type": body.type.value,
        "category": body.category,
        "urgency": body.urgency.value,
        "title": body.title or derive_title(body.content),
        "content": body.content,
        "status": Status.submitted.value,
        **body.location.model_dump(),
        "contact_name": body.contact.name,
        "contact_phone": body.contact.phone or phone,
        "contact_id_number": body.contact.id_number,
        "contact_address": body.contact.address,
        "contact_email": body.contact.email,
        "owner_phone": phone,
        "anonymous": body.anonymous,
        "public": body.public,
        "media_ids": body.media_ids,
        "submitted_by": caller.subject,
        "created_at": now,
        "updated_at": now,
        **(extra or {}),
    }
    text = f"通过{label(CHANNELS, body.channel.value)}提交诉求"
    if missing:
        row.update(status=Status.pending_info.value, info_request=missing, pending_info_since=now)
        text += f"，待补充：{missing}"
        first_event = events.TicketInfoRequested(number=row["number"], contact_phone=row["contact_phone"],
                                                 missing=missing)
    else:
        openid = await openid_of(session, phone) if caller.role is Role.citizen else None
        first_event = created_event(row, openid)
    entry = timeline_entry(row["id"], action="submit", status=Status(row["status"]), actor=caller, text=text)
    event, _ = outbox.row(session, first_event, ticket_id=row["id"])
    await session.execute(_submission(tuple(row), tuple(entry), tuple(event), outbox.table),
                          {**_prefixed("ticket_", row), **_prefixed("entry_", entry), **_prefixed("event_", event)})
    return row


@cache
def _submission(ticket_columns: tuple, entry_columns: tuple, event_columns: tuple, outbox_table: Table) -> Insert:
    """The ticket, its first timeline entry and its event in one statement: a submission
    makes three round trips to PostgreSQL (begin, this, commit), not six."""
    new_ticket = insert(tickets).values(_params(tickets, ticket_columns, "ticket_")).cte("new_ticket")
    first_entry = insert(timeline).values(_params(timeline, entry_columns, "entry_")).cte("first_entry")
    return insert(outbox_table).values(_params(outbox_table, event_columns, "event_")).add_cte(new_ticket, first_entry)


def _params(table: Table, columns: tuple, prefix: str) -> dict:
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


def _prefixed(prefix: str, values: dict) -> dict:
    return {prefix + name: value for name, value in values.items()}


def created_event(row: dict, openid: str | None = None) -> events.TicketCreated:
    return events.TicketCreated(
        number=row["number"], channel=row["channel"], ticket_type=row["type"],
        category=row["category"], urgency=row["urgency"], title=row["title"],
        content=row["content"], region_code=row["region_code"], town_code=row["town_code"],
        address=row["address"], lat=row["lat"], lng=row["lng"],
        contact_phone=row["contact_phone"], anonymous=row["anonymous"], media_ids=row["media_ids"],
        citizen_openid=openid,
    )
