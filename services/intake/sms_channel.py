"""The inbound SMS channel: the gateway's signed parts become one ticket per sender and sitting.

A long SMS arrives in parts: a sender's parts are taken together once none has come for
`sms_settle_seconds`; parts within `sms_join_minutes` of the previous ones, and replies to a
待完善 SMS ticket, join that ticket instead of starting another.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

import structlog
from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import Outbox
from services.core.problems import Problem
from services.intake import events, service, sms_tickets
from services.intake.models import sms_parts, tickets
from services.intake.public_schemas import InboundSms
from services.intake.schemas import SupplementIn
from services.intake.settings import IntakeSettings
from services.intake.sms_parser import Parsed, checked, clean, parse
from services.intake.statuses import OPEN, Status
from services.intake.submission import TicketNumbers
from services.intake.timeline import record

log = structlog.get_logger()
GATEWAY = sms_tickets.GATEWAY
FULL_SEGMENT = 60  # a part this long is a cut segment of a long SMS: the next one continues it


def check_signature(body: bytes, signature: str | None, secret: str) -> None:
    """401 unless the header is the HMAC-SHA256 of the body with the gateway's secret."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = (signature or "").strip().lower().removeprefix("sha256=")
    if not given or not hmac.compare_digest(expected, given):
        raise Problem(401, "签名无效", "短信网关签名校验失败", headers={"WWW-Authenticate": "HMAC-SHA256"})


async def receive(session: AsyncSession, message: InboundSms) -> bool:
    """Keep one part; the same message posted again is kept once (False)."""
    result = await session.execute(insert(sms_parts).values(
        message_id=message.message_id, phone=message.phone, text=clean(message.text))
        .on_conflict_do_nothing())
    return result.rowcount == 1


async def settle(session: AsyncSession, outbox: Outbox, settings: IntakeSettings, *, now: datetime,
                 prefix: str, numbers: TicketNumbers, batch: int = 50) -> int:
    """Make tickets of the parts of senders quiet for a while; safe with several replicas."""
    quiet = now - timedelta(seconds=settings.sms_settle_seconds)
    phones = (await session.scalars(
        select(sms_parts.c.phone).where(sms_parts.c.ticket_id.is_(None)).group_by(sms_parts.c.phone)
        .having(func.max(sms_parts.c.received_at) <= quiet).limit(batch))).all()
    done = 0
    for phone in phones:
        if not await session.scalar(select(func.pg_try_advisory_xact_lock(func.hashtext("sms-in:" + phone)))):
            continue  # another replica is on it
        try:
            async with session.begin_nested():
                await _settle_phone(session, outbox, settings, phone, prefix=prefix, numbers=numbers)
            done += 1
        except (Problem, ValueError) as refused:  # e.g. a county routing has not announced yet
            log.warning("sms.not_filed", error=getattr(refused, "detail", type(refused).__name__))
    return done


async def _settle_phone(session: AsyncSession, outbox: Outbox, settings: IntakeSettings, phone: str,
                        *, prefix: str, numbers: TicketNumbers) -> None:
    parts = (await session.execute(
        select(sms_parts).where(sms_parts.c.phone == phone, sms_parts.c.ticket_id.is_(None))
        .order_by(sms_parts.c.received_at, sms_parts.c.message_id).with_for_update())).mappings().all()
    if not parts:
        return
    text = joined(part["text"] for part in parts)
    since = parts[0]["received_at"] - timedelta(minutes=settings.sms_join_minutes)
    ticket = await joinable(session, phone, since)
    if ticket is None:
        ticket_id = await sms_tickets.open_ticket(session, outbox, settings, phone, parse(text),
                                                  prefix=prefix, numbers=numbers)
    else:
        ticket_id = ticket["id"]
        await _join(session, outbox, settings, ticket, text)
    await session.execute(update(sms_parts).where(sms_parts.c.message_id.in_([p["message_id"] for p in parts]))
                          .values(ticket_id=ticket_id))


def joined(texts) -> str:
    """The parts as one text: a full segment runs on into the next, a short message ends a line."""
    text, previous = "", ""
    for part in texts:
        runs_on = len(previous) >= FULL_SEGMENT
        text = part if not text else text + ("" if runs_on else "\n") + part
        previous = part
    return text


async def joinable(session: AsyncSession, phone: str, since: datetime) -> dict | None:
    """The sender's open SMS ticket these parts belong to: 待完善, or its last part recent."""
    recent = exists().where(sms_parts.c.ticket_id == tickets.c.id, sms_parts.c.received_at >= since)
    return (await session.execute(
        select(tickets).where(tickets.c.owner_phone == phone, tickets.c.channel == "sms",
                              tickets.c.status.in_([s.value for s in OPEN]),
                              (tickets.c.status == Status.pending_info.value) | recent)
        .order_by(tickets.c.created_at.desc()).limit(1).with_for_update())).mappings().first()


async def _join(session: AsyncSession, outbox: Outbox, settings: IntakeSettings, ticket: dict,
                text: str) -> None:
    if sms_tickets.unannounced(ticket):
        merged = merge(sms_tickets.parsed_from(ticket), parse(text))
        await sms_tickets.complete_or_ask(session, outbox, settings, ticket, merged)
    elif Status(ticket["status"]) is Status.pending_info:
        await service.supplement(session, outbox, ticket, GATEWAY, SupplementIn(content=text[:2000]))
    else:
        await _append(session, outbox, ticket, text)


def merge(earlier: Parsed, later: Parsed) -> Parsed:
    """A reply fills what the earlier message lacked; more of the matter is added to it."""
    merged = Parsed(**{key: getattr(earlier, key) or getattr(later, key)
                       for key in ("name", "address", "id_number", "place")})
    merged.matter = "；".join(m for m in (earlier.matter, later.matter) if m) or None
    return checked(merged)


async def _append(session: AsyncSession, outbox: Outbox, ticket: dict, text: str) -> None:
    """More parts of a message already filed: added to the content, as a supplement."""
    content = f"{ticket['content']}\n{text}"[:2000]
    await session.execute(update(tickets).where(tickets.c.id == ticket["id"])
                          .values(content=content, updated_at=func.now()))
    await record(session, ticket["id"], action="supplement", status=Status(ticket["status"]),
                 actor=GATEWAY, text=text)
    await outbox.stage(session, events.TicketSupplemented(
        number=ticket["number"], content=text, media_ids=[], status=ticket["status"]), ticket_id=ticket["id"])

