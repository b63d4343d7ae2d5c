"""Idempotent consumers: an event's effect and its 'processed' mark commit together."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import contextmanager

import aio_pika
import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import failpoints
from services.core.aio import cancel_all, stopping
from services.core.broker import DLX, QueueSpec
from services.core.db import Database
from services.core.events import Envelope
from services.core.metrics import EVENTS_CONSUMED

log = structlog.get_logger()


class NotYetKnown(Exception):
    """An event about something this service has not heard of yet, whose own event is on its
    way: retried with backoff like any failure, but an expected race, so one warning line."""

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
    return event_id in await claim_many(session, table, consumer, [event_id])


async def claim_many(session: AsyncSession, table: Table, consumer: str,
                     event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Record events as processed in one statement; the ids that were not already."""
    result = await session.execute(
        insert(table)
        .values([{"consumer": consumer, "event_id": event_id} for event_id in event_ids])
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return set(result.scalars())


class Consumer:
    """Feeds one queue's messages to handlers chosen by event type, at most once each.

    Messages that arrive together are handled together: a few drainers each take what has
    arrived (up to `batch`) and run it in one transaction with one processed mark per event,
    so a busy queue pays one BEGIN, one claim and one COMMIT per batch instead of per event.
    A quiet queue sees batches of one, with no added wait. If a batch fails, its events are
    run again one by one, each with its own retries, so one bad event holds up no other.
    """

    def __init__(self, db: Database, spec: QueueSpec, handlers: dict[str, Handler],
                 processed: Table, *, name: str | None = None, batch: int = 32, drainers: int = 2):
        self.db = db
        self.spec = spec
        self.handlers = handlers
        self.processed = processed
        self.name = name or spec.name
        self.batch = max(1, batch)
        self.drainers = max(1, drainers)
        # A queue bound by exact types gets nothing it has no handler for (a `ticket.#`
        # queue, like notify's, gets every ticket event and handles only some).
        self._bound_to_handlers_only = not any("#" in key for key in spec.bindings)
        self._inbox: list[tuple[AbstractIncomingMessage, Envelope]] = []
        self._arrived = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Take one delivery: unreadable ones are dead-lettered, the rest wait for a drainer."""
        try:
            envelope = Envelope.model_validate(orjson.loads(message.body))
        except (orjson.JSONDecodeError, ValidationError):
            log.error("consumer.unreadable", queue=self.spec.name)
            await self._dead_letter(message)
            return
        if envelope.type not in self.handlers and self._bound_to_handlers_only:
            # Only a malformed or misaddressed message can reach this queue with a type none of
            # its bindings name: no retry will help; an operator must look at it.
            log.error("consumer.unknown_type", queue=self.spec.name, event_type=envelope.type,
                      event_id=str(envelope.id))
            await self._dead_letter(message)
            return
        self._inbox.append((message, envelope))
        self._arrived.set()

    async def _drain(self) -> None:
        while True:
            await self._arrived.wait()
            taken = self._inbox[:self.batch]
            del self._inbox[:self.batch]
            if not self._inbox:
                self._arrived.clear()
            try:
                if taken:
                    await self._run(taken)
            except Exception:  # e.g. the broker went away mid-retry: it redelivers what was
                # not acked; this drainer must live on for the messages still to come
                if stopping():
                    raise
                log.exception("consumer.drain_failed", queue=self.spec.name)

    async def _run(self, taken: list[tuple[AbstractIncomingMessage, Envelope]]) -> None:
        if len(taken) > 1:
            # Tickets in one order in every batch, so two batches that lock the same tickets'
            # rows never wait on each other in a circle; one ticket's events keep their order.
            taken = sorted(taken, key=lambda item: str(item[1].ticket_id or ""))
            try:
                await self._process_together([envelope for _, envelope in taken])
            except Exception:
                if stopping():
                    raise
                log.warning("consumer.batch_failed", queue=self.spec.name, size=len(taken))
            else:
                for message, _ in taken:
                    await _ack(message)
                return
        for message, envelope in taken:
            await self._one(message, envelope)

    async def _one(self, message: AbstractIncomingMessage, envelope: Envelope) -> None:
        """Process, retry later with backoff, or dead-letter one message; never block the queue."""
        try:
            await self.process(envelope)
        except Exception as failure:
            if stopping():  # shutting down: unacked, the broker hands it to another replica
                raise
            about = dict(queue=self.spec.name, event_id=str(envelope.id), event_type=envelope.type,
                         correlation_id=envelope.correlation_id)
            if isinstance(failure, NotYetKnown):
                log.warning("consumer.not_yet_known", waiting_for=str(failure), **about)
            else:
                log.exception("consumer.failed", **about)
            await self._retry_or_dead_letter(message)
        else:
            await _ack(message)

    async def process(self, envelope: Envelope) -> bool:
        """Run the handler in one transaction with the processed mark; False if skipped."""
        [outcome] = await self._process_together([envelope])
        return outcome == "ok"

    async def _process_together(self, envelopes: list[Envelope]) -> list[str | None]:
        """Handle events in one transaction, in order; per event "ok", "duplicate" (handled
        before) or None (no handler here). Counted once the transaction has committed."""
        outcomes: list[str | None] = [None] * len(envelopes)
        wanted = [e.id for e in envelopes if e.type in self.handlers]
        if wanted:
            async with self.db.transaction() as session:
                fresh = await claim_many(session, self.processed, self.name,
                                         list(dict.fromkeys(wanted)))
                for index, envelope in enumerate(envelopes):
                    if envelope.type not in self.handlers:
                        continue
                    if envelope.id not in fresh:
                        outcomes[index] = "duplicate"
                        continue
                    fresh.discard(envelope.id)  # the same event twice in one batch: once
                    with _context(envelope):
                        await self.handlers[envelope.type](session, envelope)
                    outcomes[index] = "ok"
        failpoints.reached("consumer.after_effect")  # committed, not yet acked
        for envelope, outcome in zip(envelopes, outcomes, strict=True):
            if outcome is not None:
                EVENTS_CONSUMED.labels(self.spec.name, envelope.type, outcome).inc()
        return outcomes

    async def _retry_or_dead_letter(self, message: AbstractIncomingMessage) -> None:
        attempt = int((message.headers or {}).get("x-attempt", 0)) + 1
        if attempt > len(self.spec.retry_delays_ms):
            await self._dead_letter(message)
            return
        await self._default_exchange.publish(_copy(message, attempt),
                                             routing_key=self.spec.retry_queue(attempt))
        await _ack(message)

    async def _dead_letter(self, message: AbstractIncomingMessage) -> None:
        # Published by us, not by a broker-side reject: quorum queues may hold rejected
        # messages back until the channel closes, and a dead letter must never wait.
        EVENTS_CONSUMED.labels(self.spec.name, message.type or "", "dead").inc()
        # The alert: an operator must look (python -m services.cli dead-letters SERVICE).
        log.error("consumer.dead_lettered", queue=self.spec.name, dead_queue=self.spec.dead_queue,
                  event_id=message.message_id, event_type=message.type)
        await self._dead_letters.publish(_copy(message, None), routing_key=self.spec.name)
        await _ack(message)

    async def start(self, channel: aio_pika.abc.AbstractChannel, queue, namespace: str = "") -> str:
        """Begin consuming; returns the consumer tag."""
        self._default_exchange = channel.default_exchange
        self._dead_letters = await channel.get_exchange(namespace + DLX, ensure=False)
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._drain()) for _ in range(self.drainers)]
        return await queue.consume(self.handle)

    async def stop(self) -> list[asyncio.Task]:
        """Stop the drainers (what they had not acked is redelivered); those that did not end."""
        stuck = await cancel_all(self._tasks)
        self._tasks.clear()
        return stuck


@contextmanager
def _context(envelope: Envelope):
    # What a handler publishes carries the cause's correlation id, or starts a new one.
    structlog.contextvars.bind_contextvars(
        correlation_id=envelope.correlation_id or uuid.uuid4().hex, event_id=str(envelope.id),
        event_type=envelope.type,
    )
    try:
        yield
    finally:
        structlog.contextvars.unbind_contextvars("correlation_id", "event_id", "event_type")


async def _ack(message: AbstractIncomingMessage) -> None:
    try:
        await message.ack()
    except Exception as exc:  # channel gone (broker restart): the broker redelivers, we skip it
        log.warning("consumer.ack_failed", error=str(exc))


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
