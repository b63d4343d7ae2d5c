"""Test data and tools for notify: phones, units and tickets made through real events."""

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import orjson
from sqlalchemy import select

from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from services.core.db import Database
from services.core.events import Envelope
from services.notify.fake_providers import FakeProviders
from services.notify.models import messages, processed, tickets, units
from services.notify.settings import NotifySettings

# 177xxxxxxxx: a block no other test folder uses, so fake inboxes can be read per phone.
_phones = itertools.count(17700000000 + random.randrange(10_000) * 10_000)
_regions = itertools.count(900000 + random.randrange(900) * 100, 100)


def phone() -> str:
    return str(next(_phones))


def openid() -> str:
    return f"oTest{uuid.uuid4().hex[:22]}"


def ticket_number() -> str:
    return f"WS{datetime.now(UTC):%Y%m%d}{uuid.uuid4().int % 10**8:08d}"


def region() -> str:
    """A county code of this test's own, so its command center and units are its own too."""
    return str(next(_regions) + 22)


class TestClock:
    """The real time, moved by hand: quiet hours and retries without waiting."""

    __test__ = False

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def notify_settings(fake: FakeProviders, **overrides) -> NotifySettings:
    """Provider settings pointing at the local fake."""
    values = {
        "aliyun_access_key_id": fake.aliyun_key_id,
        "aliyun_access_key_secret": fake.aliyun_secret,
        "aliyun_base_url": fake.base_url,
        "tencent_secret_id": fake.tencent_secret_id,
        "tencent_secret_key": fake.tencent_secret_key,
        "tencent_sms_sdk_app_id": fake.tencent_sdk_app_id,
        "tencent_base_url": fake.base_url,
        "wechat_appid": fake.wechat_appid,
        "wechat_secret": fake.wechat_secret,
        "wechat_base_url": fake.base_url,
        "wechat_callback_token": "wx-push-token",
        "notify_callback_token": "receipt-token",
        "notify_poll_seconds": 0.1,
        "notify_http_timeout": 2.0,
    }
    return NotifySettings(**{**values, **overrides})


class Publisher:
    """Publishes real envelopes on this run's events exchange, as the other services do."""

    def __init__(self, exchange, clock):
        self.exchange, self.clock = exchange, clock

    async def __call__(
        self,
        type_: str,
        data: dict,
        *,
        unit: str | None = None,
        ticket_id=None,
        event_id=None,
        occurred_at=None,
        correlation_id="test",
    ) -> Envelope:
        envelope = Envelope(
            id=event_id or uuid.uuid4(),
            type=type_,
            producer="test",
            occurred_at=occurred_at or self.clock(),
            ticket_id=ticket_id,
            correlation_id=correlation_id,
            data=data,
        )
        await self.send(envelope, unit=unit)
        return envelope

    async def send(self, envelope: Envelope, *, unit: str | None = None) -> None:
        """Publish an envelope as it is (again, to redeliver it)."""
        body = orjson.dumps(envelope.model_dump(mode="json"))
        key = f"{envelope.type}.{unit}" if unit else envelope.type
        message = aio_pika.Message(
            body,
            content_type="application/json",
            message_id=str(envelope.id),
            type=envelope.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.exchange.publish(message, routing_key=key)


def staff_headers(secret: str, role: Role = Role.admin, region_code: str = "532600") -> dict:
    principal = Principal(f"test-{role.value}", role, None, region_code)
    return {"Authorization": f"Bearer {issue_token(principal, secret, 600)}"}


async def message_rows(db: Database, **where) -> list[dict]:
    """Messages whose columns equal `where`, oldest first."""
    query = select(messages).order_by(messages.c.created_at, messages.c.recipient)
    for column, value in where.items():
        query = query.where(messages.c[column] == value)
    async with db.transaction() as session:
        return [dict(r) for r in (await session.execute(query)).mappings()]


async def rows_until(db: Database, predicate, *, timeout: float = 10.0, **where) -> list[dict]:
    """The messages matching `where` once `predicate(rows)` holds; fails at the deadline."""
    seen: list[dict] = []

    async def check() -> bool:
        seen[:] = await message_rows(db, **where)
        return predicate(seen)

    assert await wait_until(check, timeout=timeout), [(r["recipient"], r["status"]) for r in seen]
    return seen


def all_sent(count: int):
    return lambda rows: len(rows) == count and all(r["status"] == "sent" for r in rows)


async def _exists(db: Database, table, **where) -> bool:
    query = select(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with db.transaction() as session:
        return (await session.execute(query)).first() is not None


class World:
    """Units and tickets made the way production makes them: by events on the broker."""

    def __init__(self, publish: Publisher, db: Database):
        self.publish, self.db = publish, db

    async def until_known(self, table, **where) -> None:
        """Wait until notify's own tables show what an event should have recorded."""
        assert await wait_until(lambda: _exists(self.db, table, **where)), (table.name, where)

    async def unit(
        self,
        code: str,
        region_code: str,
        *,
        kind: str = "town",
        handlers: int = 1,
        openids: int = 0,
        leaders: int = 1,
        name: str | None = None,
    ) -> dict:
        """Publish `unit.upserted` and wait until notify knows the unit."""
        data = {
            "code": code,
            "name": name or f"测试单位{code}",
            "kind": kind,
            "parent": region_code,
            "region_code": region_code,
            "handler_phones": [phone() for _ in range(handlers)],
            "handler_openids": [openid() for _ in range(openids)],
            "leader_phones": [phone() for _ in range(leaders)],
            "active": True,
        }
        for _ in range(50):  # the first may precede the notify queue's binding at start-up
            await self.publish("unit.upserted", data)
            if await wait_until(lambda: _exists(self.db, units, code=code), timeout=0.5):
                return data
        raise AssertionError(f"notify never learnt of unit {code}")

    async def county(self, *, openids: int = 0) -> dict:
        """A county of its own with a command center, a 督查室 and one town."""
        code = region()
        return {
            "region": code,
            "center": await self.unit(f"cc-{code}", code, kind="command_center", openids=openids),
            "supervision": await self.unit(f"{code}-supervision", code, kind="department"),
            "town": await self.unit(f"{code}100", code, openids=openids),
        }

    async def ticket(
        self,
        region_code: str,
        *,
        urgency: str = "normal",
        citizen_openid=None,
        contact_phone: str | None = None,
    ) -> dict:
        """Publish `ticket.created` and wait until notify knows the citizen."""
        data = {
            "number": ticket_number(),
            "channel": "miniprogram",
            "ticket_type": "complaint",
            "category": "市容环境",
            "urgency": urgency,
            "title": "东风路垃圾无人清运",
            "content": "东风路小区门口垃圾长期堆放无人清运。",
            "region_code": region_code,
            "town_code": f"{region_code}100",
            "address": "东风路 1 号",
            "lat": None,
            "lng": None,
            "contact_phone": contact_phone or phone(),
            "citizen_openid": citizen_openid,
            "anonymous": False,
            "media_ids": [],
        }
        envelope = await self.publish("ticket.created", data, ticket_id=uuid.uuid4())
        await self.until_known(tickets, number=data["number"])
        return {**data, "ticket_id": envelope.ticket_id}

    async def assign(
        self,
        ticket: dict,
        unit: dict,
        role: str = "lead",
        *,
        reason: str = "auto",
        decision: str = "test",
    ) -> Envelope:
        """Publish `ticket.assigned.<unit>` as routing does; `decision` is its correlation id."""
        data = {
            "number": ticket["number"],
            "unit_code": unit["code"],
            "unit_name": unit["name"],
            "role": role,
            "assignment_id": str(uuid.uuid4()),
            "category": "municipal",
            "category_name": "市容环境",
            "urgency": ticket["urgency"],
            "sla_class": ticket["urgency"],
            "statutory_days": None,
            "ticket_type": "complaint",
            "region_code": unit["region_code"],
            "reason": reason,
            "suggestions": [],
        }
        return await self.publish(
            "ticket.assigned",
            data,
            unit=unit["code"],
            ticket_id=ticket["ticket_id"],
            correlation_id=decision,
        )

    async def handled(self, event: Envelope) -> None:
        """Wait until notify's consumer has processed the event (whatever it decided)."""
        await self.until_known(processed, event_id=event.id)
