"""The SMS gateway as the tests play it: signed posts of inbound messages, and what they became."""

import hashlib
import hmac
import json
import uuid

from sqlalchemy import select

from services.core.consumer import wait_until
from services.intake.models import sms_parts, tickets

SECRET = "test-sms-gateway-secret"


def signed(body: dict, secret: str = SECRET) -> tuple[bytes, dict]:
    """The body's bytes and the gateway's signature header over them."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": signature, "Content-Type": "application/json"}


async def send_sms(client, phone: str, text: str, message_id: str | None = None):
    """The gateway posts one inbound message."""
    raw, headers = signed({"message_id": message_id or uuid.uuid4().hex, "phone": phone, "text": text})
    return await client.post("/v1/channels/sms/inbound", content=raw, headers=headers)


async def tickets_of(db, phone: str, *, count: int = 1, status: str | None = None) -> list[dict]:
    """The sender's SMS tickets, once all its parts are filed (and `status` reached)."""
    async def read() -> list[dict]:
        async with db.transaction() as session:
            waiting = await session.scalar(select(sms_parts.c.message_id).where(
                sms_parts.c.phone == phone, sms_parts.c.ticket_id.is_(None)).limit(1))
            rows = (await session.execute(select(tickets).where(tickets.c.owner_phone == phone)
                                          .order_by(tickets.c.created_at))).mappings().all()
        return [] if waiting else [dict(row) for row in rows]

    async def ready() -> bool:
        rows = await read()
        return len(rows) == count and (status is None or rows[-1]["status"] == status)

    assert await wait_until(ready), f"{phone}: {await read()}"
    return await read()
