"""The outbox relay: every committed event once, none for a rollback, many relays at once."""

import asyncio

import aio_pika
import pytest

from services.core.db import Database
from services.core.events import Event
from services.core.outbox import Outbox, OutboxRelay
from services.core.testing import tap
from services.intake.models import outbox as intake_outbox


class Pinged(Event):
    type = "test.pinged"
    n: int
    batch: str


async def test_three_relays_publish_each_event_exactly_once(settings):
    db = Database(settings.database_url, pool_size=5)
    box = Outbox(intake_outbox, "test")
    batch = "concurrent"
    async with db.transaction() as session:
        for n in range(300):
            await box.stage(session, Pinged(n=n, batch=batch))
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
    relays = [OutboxRelay(db, box, exchange.name, batch=25) for _ in range(3)]
    underlay = await channel.get_underlay_channel()

    async with tap(settings, "test.pinged") as events:
        async def drain(relay):
            while await relay.relay_once(underlay):
                pass

        await asyncio.gather(*(drain(r) for r in relays))
        await events.collect(lambda m: m["data"]["batch"] == batch, count=300)
        await events.drain(0.5)

    numbers = [m["data"]["n"] for m in events.seen if m["data"]["batch"] == batch]
    assert sorted(numbers) == list(range(300))
    await connection.close()
    await db.dispose()


async def test_a_rolled_back_change_publishes_nothing(settings):
    db = Database(settings.database_url, pool_size=2)
    box = Outbox(intake_outbox, "test")
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await box.stage(session, Pinged(n=1, batch="rollback"))
            raise RuntimeError("the state change failed")
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
    async with tap(settings, "test.pinged") as events:
        relay = OutboxRelay(db, box, exchange.name)
        while await relay.relay_once(await channel.get_underlay_channel()):
            pass
        await events.drain(0.5)
    assert not [m for m in events.seen if m["data"]["batch"] == "rollback"]
    await connection.close()
    await db.dispose()


async def test_published_rows_older_than_a_day_are_purged(settings):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select, update

    db = Database(settings.database_url, pool_size=2)
    box = Outbox(intake_outbox, "test")
    async with db.transaction() as session:
        old = await box.stage(session, Pinged(n=1, batch="purge"))
        fresh = await box.stage(session, Pinged(n=2, batch="purge"))
    async with db.transaction() as session:
        await session.execute(update(intake_outbox).where(intake_outbox.c.event_id == old.id)
                              .values(published_at=datetime.now(UTC) - timedelta(days=2)))
        await session.execute(update(intake_outbox).where(intake_outbox.c.event_id == fresh.id)
                              .values(published_at=datetime.now(UTC)))

    await OutboxRelay(db, box, "unused").purge_published()

    async with db.transaction() as session:
        left = set(await session.scalars(select(intake_outbox.c.event_id).where(
            intake_outbox.c.event_id.in_([old.id, fresh.id]))))
    assert left == {fresh.id}
    await db.dispose()
