"""Transactional outbox: events are written with the state change and relayed after commit."""

import asyncio
from datetime import UTC, datetime, timedelta

import aiormq
import orjson
import structlog
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    Uuid,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.aio import stopping
from services.core.db import Database
from services.core.events import Envelope, Event
from services.core.metrics import EVENTS_PUBLISHED, OUTBOX_LAG

log = structlog.get_logger()


def outbox_table(metadata: MetaData) -> Table:
    """The outbox of one service schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("routing_key", String(200), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_unpublished", "id", postgresql_where="published_at IS NULL"),
    )


class Outbox:
    """Stages events in a session and wakes the relay of this process after commit."""

    def __init__(self, table: Table, producer: str):
        self.table = table
        self.producer = producer
        self.pending = asyncio.Event()
        self._insert = insert(table)  # built once: this runs for every event of every request

    async def stage(self, session: AsyncSession, event: Event, *, ticket_id=None) -> Envelope:
        """Add an event to the caller's transaction; it is published only if that commits."""
        row, envelope = self.row(session, event, ticket_id=ticket_id)
        await session.execute(self._insert, row)
        return envelope

    async def stage_all(self, session: AsyncSession, events: list[tuple[Event, object]]) -> None:
        """Add several events (each with its ticket id) to the transaction in one statement."""
        if events:
            await session.execute(self._insert, [
                self.row(session, event, ticket_id=ticket_id)[0] for event, ticket_id in events])

    def row(self, session: AsyncSession, event: Event, *, ticket_id=None) -> tuple[dict, Envelope]:
        """The outbox row of an event, for a caller that inserts it with its own statement in
        this session's transaction; the relay is woken when that commits."""
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id", "")
        envelope = event.envelope(
            producer=self.producer, ticket_id=ticket_id, correlation_id=correlation_id
        )
        callbacks = session.info.setdefault("after_commit", [])
        if self.pending.set not in callbacks:  # one wake-up per transaction is enough
            callbacks.append(self.pending.set)
        return {
            "event_id": envelope.id,
            "routing_key": event.routing_key(),
            "envelope": envelope.model_dump(mode="json"),
        }, envelope


class OutboxRelay:
    """Publishes committed outbox rows with publisher confirms; safe with many replicas."""

    def __init__(self, db: Database, outbox: Outbox, exchange_name: str, *, batch: int = 200,
                 poll_seconds: float = 0.5):
        self.db = db
        self.outbox = outbox
        self.exchange_name = exchange_name
        self.batch = batch
        self.poll_seconds = poll_seconds
        table = outbox.table
        oldest = (select(table.c.id).where(table.c.published_at.is_(None)).order_by(table.c.id)
                  .limit(batch).with_for_update(skip_locked=True).cte("oldest"))
        self._take = (update(table).where(table.c.id == oldest.c.id)
                      .values(published_at=func.now())
                      .returning(table.c.id, table.c.routing_key, table.c.envelope, table.c.created_at))

    async def run(self, channel_source) -> None:
        """Relay forever; `channel_source()` returns a confirming channel, or raises if down."""
        while True:
            try:
                channel = await channel_source()
                while await self.relay_once(await channel.get_underlay_channel()) >= self.batch:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: rows wait in the outbox
                if stopping():
                    raise
                log.warning("outbox.relay_failed", error=str(exc))
                await asyncio.sleep(1.0)
                continue
            await self._wait_for_work()

    async def _wait_for_work(self) -> None:
        try:
            await asyncio.wait_for(self.outbox.pending.wait(), self.poll_seconds)
        except TimeoutError:
            pass
        self.outbox.pending.clear()

    async def relay_once(self, channel: aiormq.abc.AbstractChannel) -> int:
        """Publish one batch of unpublished rows and mark them; returns how many.

        Straight on aio-pika's underlying (aiormq) channel, which has the confirms: no
        message object per event (publishing was a quarter of a busy intake's CPU)."""
        async with self.db.transaction() as session:
            # Marked as it is taken, in one statement; a failed publish rolls the mark back.
            rows = sorted((await session.execute(self._take)).all(), key=lambda row: row.id)
            if not rows:
                return 0
            await asyncio.gather(*(self._publish(channel, row) for row in rows))
        OUTBOX_LAG.labels(self.outbox.producer).observe(
            (datetime.now(UTC) - rows[0].created_at).total_seconds()
        )
        EVENTS_PUBLISHED.labels(self.outbox.producer).inc(len(rows))
        return len(rows)

    async def _publish(self, channel: aiormq.abc.AbstractChannel, row) -> None:
        envelope = row.envelope
        await channel.basic_publish(
            orjson.dumps(envelope),
            exchange=self.exchange_name,
            routing_key=row.routing_key,
            properties=aiormq.spec.Basic.Properties(
                content_type="application/json",
                delivery_mode=2,  # persistent
                message_id=envelope["id"],
                correlation_id=envelope.get("correlation_id") or None,
                message_type=envelope["type"],
            ),
        )

    async def purge_published(self, older_than: timedelta = timedelta(days=1)) -> int:
        """Delete rows published long ago, so the table stays small."""
        table = self.outbox.table
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(table).where(table.c.published_at < datetime.now(UTC) - older_than)
            )
        return result.rowcount
