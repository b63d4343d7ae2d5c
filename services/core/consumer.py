"""Idempotent consumers: an event's effect and its 'processed' mark commit together."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import aio_pika
import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.broker import DLX, QueueSpec
from services.core.db import Database
from services.core.events import Envelope
from services.core.metrics import EVENTS_CONSUMED

log = structlog.get_logger()

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def processed_table(metadata: MetaData) -> Table:
    """The ids of events a service has already handled, per consumer."""
    return Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def claim(session: AsyncSession, table: Table, consumer: str, event_id: uuid.UUID) -> bool:
    """Record the event as processed; False when it already was (a redelivery)."""
    result = await session.execute(
        insert(table)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return result.first() is not None


class Consumer:
    """Feeds one queue's messages to handlers chosen by event type, at most once each."""

    def __init__(self, db: Database, spec: QueueSpec, handlers: dict[str, Handler],
                 processed: Table, *, name: str | None = None):
        self.db = db
        self.spec = spec
        self.handlers = handlers
        self.processed = processed
        self.name = name or spec.name

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Process, retry later with backoff, or dead-letter one message; never block the queue."""
        try:
            envelope = Envelope.model_validate(orjson.loads(message.body))
        except (orjson.JSONDecodeError, ValidationError):
            log.error("consumer.unreadable", queue=self.spec.name)
            await self._dead_letter(message)
            return
        # What this handler publishes carries the cause's correlation id, or starts a new one.
        structlog.contextvars.bind_contextvars(
            correlation_id=envelope.correlation_id or uuid.uuid4().hex, event_id=str(envelope.id),
            event_type=envelope.type,
        )
        try:
            await self.process(envelope)
        except Exception:
            log.exception("consumer.failed", queue=self.spec.name)
            await self._retry_or_dead_letter(message)
        else:
            await message.ack()
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id", "event_id", "event_type")

    async def process(self, envelope: Envelope) -> bool:
        """Run the handler in one transaction with the processed mark; False if skipped."""
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return False
        async with self.db.transaction() as session:
            if not await claim(session, self.processed, self.name, envelope.id):
                EVENTS_CONSUMED.labels(self.spec.name, envelope.type, "duplicate").inc()
                return False
            await handler(session, envelope)
        EVENTS_CONSUMED.labels(self.spec.name, envelope.type, "ok").inc()
        return True

    async def _retry_or_dead_letter(self, message: AbstractIncomingMessage) -> None:
        attempt = int((message.headers or {}).get("x-attempt", 0)) + 1
        if attempt > len(self.spec.retry_delays_ms):
            await self._dead_letter(message)
            return
        await self._default_exchange.publish(_copy(message, attempt),
                                             routing_key=self.spec.retry_queue(attempt))
        await message.ack()

    async def _dead_letter(self, message: AbstractIncomingMessage) -> None:
        # Published by us, not by a broker-side reject: quorum queues may hold rejected
        # messages back until the channel closes, and a dead letter must never wait.
        EVENTS_CONSUMED.labels(self.spec.name, message.type or "", "dead").inc()
        await self._dead_letters.publish(_copy(message, None), routing_key=self.spec.name)
        await message.ack()

    async def start(self, channel: aio_pika.abc.AbstractChannel, queue, namespace: str = "") -> str:
        """Begin consuming; returns the consumer tag."""
        self._default_exchange = channel.default_exchange
        self._dead_letters = await channel.get_exchange(namespace + DLX, ensure=False)
        return await queue.consume(self.handle)


def _copy(message: AbstractIncomingMessage, attempt: int | None) -> aio_pika.Message:
    headers = dict(message.headers or {})
    if attempt is not None:
        headers["x-attempt"] = attempt
    return aio_pika.Message(
        body=message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
    )


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 10.0,
                     interval: float = 0.05) -> bool:
    """Poll an async predicate until it holds or the deadline passes (tools and tests)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval)
    return await predicate()
