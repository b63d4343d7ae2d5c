"""Messages: rendered from an event's notices, stored once per (event, recipient, channel)."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from jinja2 import TemplateError
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.events import Envelope
from services.notify import template_store
from services.notify.models import messages
from services.notify.providers.console import mask_phone
from services.notify.recipients import Address
from services.notify.templates import DEFAULT_TEMPLATES, SmsTemplate, render_sms, render_wechat

log = structlog.get_logger()
# Set after a commit that queued messages: senders in this process look at once.
work_ready = asyncio.Event()
_INSERT = insert(messages).on_conflict_do_nothing(
    index_elements=[messages.c.event_id, messages.c.recipient, messages.c.channel]
)


@dataclass(frozen=True)
class Notice:
    """The decision that an audience hears of an event through a template kind."""

    kind: str
    audience: str
    addresses: list[Address]
    context: dict
    priority: str = "normal"  # code | urgent | normal
    region_code: str | None = None
    expires_at: datetime | None = None


def masked(channel: str, recipient: str) -> str:
    """A recipient fit for logs, events and non-admin eyes; distinct recipients stay distinct."""
    if channel == "sms":
        return mask_phone(recipient)
    return recipient[:4] + "****" + recipient[-4:] if len(recipient) > 8 else "****"


def event_data(row) -> dict:
    """The fields notify.sent and notify.failed share (docs/events.md)."""
    return {
        "message_id": row.id,
        "event_id": row.event_id,
        "ticket_number": row.ticket_number,
        "audience": row.audience,
        "channel": row.channel,
        "template": row.template,
        "recipient": masked(row.channel, row.recipient),
    }


async def enqueue(
    session: AsyncSession,
    envelope: Envelope,
    notices: list[Notice],
    *,
    sign_name: str,
    site_url: str = "",
) -> int:
    """Render and queue every notice's messages in the caller's transaction; returns how many."""
    rows = []
    for notice in notices:
        if site_url:
            notice.context["site_url"] = site_url.rstrip("/")
        renderings: dict[str, dict] = {}  # per channel: every recipient reads the same text
        for address in dict.fromkeys(notice.addresses):
            row = await _row(session, envelope, notice, address, sign_name, renderings)
            if row is not None:
                rows.append(row)
    if rows:
        await session.execute(_INSERT, rows)
        session.info.setdefault("after_commit", []).append(work_ready.set)
    return len(rows)


async def _row(
    session: AsyncSession,
    envelope: Envelope,
    notice: Notice,
    address: Address,
    sign_name: str,
    renderings: dict[str, dict],
) -> dict | None:
    if (notice.kind, notice.audience, address.channel) not in DEFAULT_TEMPLATES:
        if not address.fallback_phone:
            log.warning(
                "notify.no_template",
                template=notice.kind,
                audience=notice.audience,
                channel=address.channel,
            )
            return None
        address = Address("sms", address.fallback_phone)
    if address.channel not in renderings:
        key = (notice.kind, notice.audience, address.channel)
        renderings[address.channel] = await render(session, key, notice.context, sign_name)
    return {
        "id": uuid.uuid4(),
        "event_id": envelope.id,
        "event_type": envelope.type,
        "template": notice.kind,
        "ticket_id": envelope.ticket_id,
        "ticket_number": notice.context.get("ticket_number") or None,
        "region_code": notice.region_code,
        "audience": notice.audience,
        "recipient": address.to,
        "channel": address.channel,
        "fallback_phone": address.fallback_phone,
        "fallback_of": None,
        "priority": notice.priority,
        "context": notice.context,
        "expires_at": notice.expires_at,
        **renderings[address.channel],
    }


async def render(
    session: AsyncSession, key: tuple[str, str, str], context: dict, sign_name: str
) -> dict:
    """Template code, params, page and readable text; an unusable edit falls back to the default."""
    template = await template_store.effective(session, key)
    try:
        return _rendered(template, context, sign_name)
    except (TemplateError, TypeError, ValueError):
        log.exception("notify.template_failed", template="/".join(key))
        return _rendered(DEFAULT_TEMPLATES[key], context, sign_name)


def _rendered(template, context: dict, sign_name: str) -> dict:
    if isinstance(template, SmsTemplate):
        sms = render_sms(template, context, sign_name=sign_name)
        return {
            "provider_template": sms.template_code,
            "params": sms.params,
            "text": sms.text,
            "page": None,
        }
    wechat = render_wechat(template, context)
    return {
        "provider_template": wechat.template_id,
        "params": wechat.data,
        "text": "；".join(wechat.data.values()),
        "page": wechat.page,
    }


async def add_fallback(session: AsyncSession, row, *, sign_name: str) -> bool:
    """Queue the SMS that replaces a citizen's undeliverable WeChat message."""
    key = (row.template, row.audience, "sms")
    if not row.fallback_phone or key not in DEFAULT_TEMPLATES:
        return False
    rendered = await render(session, key, row.context, sign_name)
    values = {
        column: getattr(row, column)
        for column in (
            "event_id",
            "event_type",
            "template",
            "ticket_id",
            "ticket_number",
            "region_code",
            "audience",
            "priority",
            "context",
            "expires_at",
        )
    }
    await session.execute(
        _INSERT,
        [
            {
                **values,
                **rendered,
                "id": uuid.uuid4(),
                "recipient": row.fallback_phone,
                "channel": "sms",
                "fallback_phone": None,
                "fallback_of": row.id,
            }
        ],
    )
    session.info.setdefault("after_commit", []).append(work_ready.set)
    return True


async def requeue(session: AsyncSession, message_id: uuid.UUID):
    """A failed message queued for a fresh round of attempts; None unless it had failed."""
    result = await session.execute(
        update(messages)
        .where(messages.c.id == message_id, messages.c.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=None, error_code=None, error_text=None)
        .returning(*messages.c)
    )
    row = result.mappings().first()
    if row is not None:
        session.info.setdefault("after_commit", []).append(work_ready.set)
    return row


async def search(
    session: AsyncSession,
    *,
    ticket: str | None,
    phone: str | None,
    status: str | None,
    region: str | None,
    limit: int,
    offset: int,
) -> list:
    """Messages newest first, filtered; `region` limits them to one jurisdiction."""
    query = select(messages).order_by(messages.c.created_at.desc()).limit(limit).offset(offset)
    if ticket:
        query = query.where(messages.c.ticket_number == ticket)
    if phone:
        query = query.where(or_(messages.c.recipient == phone, messages.c.fallback_phone == phone))
    if status:
        query = query.where(messages.c.status == status)
    if region is not None:
        query = query.where(messages.c.region_code.startswith(region))
    return list((await session.execute(query)).mappings())
