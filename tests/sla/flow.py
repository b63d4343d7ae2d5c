"""Tickets driven through sla the way the other services drive it: real envelopes."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from services.core.events import Envelope
from services.core.workdays import TZ
from services.sla.models import clocks, outbox

PRODUCERS = {"ticket.assigned": "routing"}
ANNOUNCEMENTS = ("sla.warning", "sla.overdue")


def at(*args: int) -> datetime:
    """An instant in Asia/Shanghai."""
    return datetime(*args, tzinfo=TZ)


def unit_code(name: str) -> str:
    """A unit code no other test uses."""
    return f"t{uuid.uuid4().hex[:6]}-{name}"


@dataclass
class Ticket:
    """One ticket's events, fed to the sla consumer exactly as they come off the broker."""

    app: object
    region: str = "532622"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    number: str = field(default_factory=lambda: f"SLA{uuid.uuid4().hex[:12].upper()}")
    category: str = "municipal.noise"

    def envelope(self, type_: str, when: datetime, correlation_id: str = "", **data) -> Envelope:
        return Envelope(id=uuid.uuid4(), type=type_, occurred_at=when,
                        producer=PRODUCERS.get(type_, "intake"), ticket_id=self.id,
                        correlation_id=correlation_id or uuid.uuid4().hex,
                        data={"number": self.number, **data})

    async def send(self, type_: str, when: datetime, correlation_id: str = "", **data) -> bool:
        """Process one event through the app's idempotent consumer."""
        return await self.app.state.consumer.process(self.envelope(type_, when, correlation_id, **data))

    async def created(self, when: datetime, category: str = "municipal.noise",
                      town: str = "532622100", **extra) -> None:
        self.category = category
        await self.send("ticket.created", when, channel="hotline", ticket_type="complaint",
                        category=category, urgency="normal", title="噪音", content="夜间施工噪音",
                        region_code=self.region, town_code=town, address="江那镇振兴街 18 号",
                        lat=None, lng=None, contact_phone="13800000000", anonymous=False,
                        media_ids=[], **extra)

    async def assign(self, unit: str, when: datetime, *, role: str = "lead", reason: str = "dispatch",
                     urgency: str = "normal", sla_class: str = "normal", statutory_days=None,
                     correlation_id: str = "", category: str | None = None) -> None:
        await self.send("ticket.assigned", when, correlation_id, unit_code=unit, unit_name=unit,
                        role=role, assignment_id=str(uuid.uuid4()), category=category or self.category,
                        urgency=urgency, sla_class=sla_class, statutory_days=statutory_days,
                        ticket_type="complaint", region_code=self.region, reason=reason,
                        suggestions=[])

    async def clocks(self) -> dict[tuple[str, str, int], dict]:
        """This ticket's clock rows by (unit, kind, cycle)."""
        async with self.app.state.db.transaction() as session:
            rows = (await session.execute(select(clocks).where(clocks.c.ticket_id == self.id))).mappings()
            return {(r["unit_code"], r["kind"], r["cycle"]): dict(r) for r in rows}

    async def clock(self, unit: str, kind: str, cycle: int = 1) -> dict:
        return (await self.clocks())[(unit, kind, cycle)]

    async def staged(self, types: tuple[str, ...] = ANNOUNCEMENTS) -> list[dict]:
        """Events of these types this ticket's clocks wrote to the sla outbox, oldest first."""
        async with self.app.state.db.transaction() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.envelope["ticket_id"].astext == str(self.id),
                                                outbox.c.envelope["type"].astext.in_(types))
                .order_by(outbox.c.id))
            return [row.envelope for row in rows]

    async def changes(self) -> list[dict]:
        """The `sla.clock_changed` data this ticket's clocks staged, oldest first."""
        return [envelope["data"] for envelope in await self.staged(("sla.clock_changed",))]


def announcement(*numbers: str):
    """A tap predicate: a warning or breach about one of these tickets."""
    return lambda m: m["type"] in ANNOUNCEMENTS and m["data"].get("number") in numbers


def directory_event(type_: str, when: datetime, **data) -> Envelope:
    """A `unit.upserted` or `category.upserted` as routing's outbox sends it."""
    return Envelope(id=uuid.uuid4(), type=type_, occurred_at=when, producer="routing",
                    correlation_id=uuid.uuid4().hex, data=data)


async def announce_unit(app, code: str, name: str, *, kind: str = "department",
                        region: str = "532622", parent: str | None = None,
                        when: datetime | None = None) -> Envelope:
    """Routing announces a unit; sla's consumer takes it in. The envelope, to send again."""
    envelope = directory_event(
        "unit.upserted", when or datetime.now(TZ), code=code, name=name, kind=kind, parent=parent,
        region_code=region, handler_phones=[], handler_openids=[], leader_phones=[], active=True)
    await app.state.consumer.process(envelope)
    return envelope


async def announce_category(app, code: str, name: str, *, when: datetime | None = None) -> Envelope:
    """Routing announces a category; sla's consumer takes it in."""
    envelope = directory_event(
        "category.upserted", when or datetime.now(TZ), code=code, name=name,
        parent=code.rpartition(".")[0] or None, urgency="normal", sla_class="normal",
        statutory_days=None, active=True)
    await app.state.consumer.process(envelope)
    return envelope


async def collect(events, predicate, *, count: int, timeout: float = 20.0) -> list[dict]:
    """Tap.collect, patient with a loaded broker: a slow basic.get raises TimeoutError there."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await events.collect(predicate, count=count, timeout=deadline - loop.time())
        except TimeoutError:
            if loop.time() >= deadline:
                raise


async def drain(events, seconds: float) -> None:
    """Tap.drain, as patient as `collect`."""
    try:
        await events.drain(seconds)
    except TimeoutError:
        await events.drain(seconds)
