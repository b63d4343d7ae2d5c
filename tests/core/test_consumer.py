"""The idempotent consumer: one effect per event, bounded retries, dead letters, no blocking."""

import uuid

import aio_pika
import orjson
import pytest
import structlog
from sqlalchemy import func, select

from services.core import dead_letters as dead_letters_of
from services.core.broker import QueueSpec, declare_queue
from services.core.consumer import Consumer, NotYetKnown, wait_until
from services.core.db import Database
from services.core.events import Event
from services.intake.models import processed


class Knocked(Event):
    type = "test.knocked"
    who: str


@pytest.fixture
async def rig(settings):
    """A consumer on a queue of its own, with quick retries, and a way to publish to it."""
    db = Database(settings.database_url, pool_size=3)
    spec = QueueSpec(settings.broker_name(f"test.consumer.{uuid.uuid4().hex[:6]}"), ("test.knocked",),
                     retry_delays_ms=(50, 100))
    connection = await aio_pika.connect_robust(settings.amqp_url)
    channel = await connection.channel()
    queue = await declare_queue(channel, spec, settings.broker_namespace)
    exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
    calls: list[str] = []
    failures: dict[str, int] = {}
    early: dict[str, int] = {}

    async def knocked(session, envelope):
        who = envelope.data["who"]
        calls.append(who)
        if early.get(who, 0) > 0:
            early[who] -= 1
            raise NotYetKnown(f"{who}'s house")
        if failures.get(who, 0) > 0:
            failures[who] -= 1
            raise RuntimeError(f"{who} is not home")

    consumer = Consumer(db, spec, {"test.knocked": knocked}, processed)
    await consumer.start(channel, queue, settings.broker_namespace)

    async def publish(envelope):
        await exchange.publish(aio_pika.Message(orjson.dumps(envelope.model_dump(mode="json")),
                                                message_id=str(envelope.id), type=envelope.type),
                               routing_key="test.knocked")  # as the outbox relay publishes

    yield {"publish": publish, "calls": calls, "failures": failures, "early": early, "db": db, "spec": spec,
           "connection": connection,
           "channel": channel, "consumer": consumer}
    await consumer.stop()
    await connection.close()
    await db.dispose()


async def processed_count(db, event_id) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(processed)
                                    .where(processed.c.event_id == event_id))


async def test_a_redelivered_event_has_no_second_effect(rig):
    envelope = Knocked(who="alice").envelope(producer="test")
    await rig["publish"](envelope)
    await rig["publish"](envelope)
    tracer = Knocked(who="tracer").envelope(producer="test")
    await rig["publish"](tracer)

    assert await wait_until(lambda: _async(rig["calls"].count("tracer") == 1))
    assert rig["calls"].count("alice") == 1
    assert await processed_count(rig["db"], envelope.id) == 1


async def test_a_failing_handler_is_retried_and_its_effect_kept_once(rig):
    rig["failures"]["bob"] = 2
    await rig["publish"](Knocked(who="bob").envelope(producer="test"))

    assert await wait_until(lambda: _async(rig["calls"].count("bob") == 3))
    envelope_processed = rig["calls"].count("bob")
    assert envelope_processed == 3


async def test_an_expected_race_is_one_warning_line_and_a_retry(rig):
    rig["early"]["erin"] = 1
    with structlog.testing.capture_logs() as logs:
        await rig["publish"](Knocked(who="erin").envelope(producer="test"))
        assert await wait_until(lambda: _async(rig["calls"].count("erin") == 2))
    about_erin = [e for e in logs if e.get("event_type") == "test.knocked"]
    assert [(e["event"], e["log_level"]) for e in about_erin] == [("consumer.not_yet_known", "warning")]
    assert about_erin[0]["waiting_for"] == "erin's house" and "exc_info" not in about_erin[0]


async def test_a_message_that_keeps_failing_goes_to_the_dead_queue_without_blocking(rig):
    rig["failures"]["carol"] = 99
    await rig["publish"](Knocked(who="carol").envelope(producer="test"))
    await rig["publish"](Knocked(who="dave").envelope(producer="test"))

    assert await wait_until(lambda: _async("dave" in rig["calls"]))
    [dead] = await dead_letters(rig)
    assert rig["calls"].count("carol") == 3  # first try and two retries
    assert orjson.loads(dead.body)["data"]["who"] == "carol"


async def test_a_dead_letter_is_listed_and_replayed_once_its_cause_is_fixed(rig):
    rig["failures"]["frank"] = 99
    envelope = Knocked(who="frank").envelope(producer="test")
    with structlog.testing.capture_logs() as logs:
        await rig["publish"](envelope)
        assert await wait_until(lambda: _async(any(e["event"] == "consumer.dead_lettered" for e in logs)),
                                timeout=20)
    [alert] = [e for e in logs if e["event"] == "consumer.dead_lettered"]
    assert alert["log_level"] == "error" and alert["event_type"] == "test.knocked"
    seen = {}

    async def dead_and_listed() -> bool:
        channel = await rig["connection"].channel()
        try:
            seen["listed"] = await dead_letters_of.listed(channel, rig["spec"])
        finally:
            await channel.close()
        return bool(seen["listed"])

    assert await wait_until(dead_and_listed, timeout=20)
    [entry] = seen["listed"]
    assert (entry["event_id"], entry["type"]) == (str(envelope.id), "test.knocked")
    assert rig["calls"].count("frank") == 3
    rig["failures"]["frank"] = 0  # the cause is fixed
    channel = await rig["connection"].channel()
    try:
        assert await dead_letters_of.replay(channel, rig["spec"]) == [str(envelope.id)]
    finally:
        await channel.close()
    assert await wait_until(lambda: _async(rig["calls"].count("frank") == 4))
    assert await processed_count(rig["db"], envelope.id) == 1
    channel = await rig["connection"].channel()
    try:
        assert await dead_letters_of.listed(channel, rig["spec"]) == []
    finally:
        await channel.close()


async def test_an_unreadable_message_is_dead_lettered(rig):
    exchange = await rig["channel"].get_exchange(rig["spec"].name.split("test.consumer")[0] + "hotline.events")
    await exchange.publish(aio_pika.Message(b"not json"), routing_key="test.knocked")
    [dead] = await dead_letters(rig)
    assert dead.body == b"not json"


async def test_a_message_of_a_type_no_handler_takes_is_dead_lettered_and_the_queue_flows_on(rig):
    exchange = await rig["channel"].get_exchange(rig["spec"].name.split("test.consumer")[0] + "hotline.events")
    stray = {**Knocked(who="dan").envelope(producer="test").model_dump(mode="json"), "type": "test.unheard_of"}
    await exchange.publish(aio_pika.Message(orjson.dumps(stray)), routing_key="test.knocked")
    await rig["publish"](Knocked(who="eve").envelope(producer="test"))

    [dead] = await dead_letters(rig)
    assert orjson.loads(dead.body)["type"] == "test.unheard_of"
    assert await wait_until(lambda: _async("eve" in rig["calls"])), "the queue stopped behind it"


async def _async(value):
    return value


async def dead_letters(rig, expected: int = 1) -> list:
    """Take messages from the dead queue until `expected` came (quorum queue counts lag)."""
    queue = await rig["channel"].declare_queue(rig["spec"].dead_queue, passive=True)
    taken = []

    async def arrived():
        message = await queue.get(fail=False, no_ack=True)
        if message is not None:
            taken.append(message)
        return len(taken) >= expected

    await wait_until(arrived)
    return taken


class Delivery:
    """What a drainer needs of a delivered message (a real one needs a live channel)."""

    def __init__(self, envelope):
        self.body = orjson.dumps(envelope.model_dump(mode="json"))
        self.headers, self.content_type = {}, "application/json"
        self.message_id, self.type = str(envelope.id), envelope.type
        self.acked = False

    async def ack(self):
        self.acked = True


async def test_events_taken_together_are_handled_once_each(rig):
    envelopes = [Knocked(who=who).envelope(producer="test") for who in ("ann", "ben", "cid")]
    deliveries = [Delivery(e) for e in (*envelopes, envelopes[0])]  # ann delivered twice

    await rig["consumer"]._run(list(zip(deliveries, (*envelopes, envelopes[0]), strict=True)))

    assert all(d.acked for d in deliveries)
    assert sorted(rig["calls"]) == ["ann", "ben", "cid"]
    for envelope in envelopes:
        assert await processed_count(rig["db"], envelope.id) == 1


async def test_one_failing_event_does_not_undo_or_hold_up_its_batch(rig):
    rig["failures"]["mallory"] = 2  # fails in the batch, then alone, then succeeds on retry
    envelopes = [Knocked(who=who).envelope(producer="test") for who in ("ann", "mallory", "cid")]
    deliveries = [Delivery(e) for e in envelopes]

    await rig["consumer"]._run(list(zip(deliveries, envelopes, strict=True)))

    assert all(d.acked for d in deliveries)  # mallory's went to its retry queue
    assert await processed_count(rig["db"], envelopes[0].id) == 1
    assert await processed_count(rig["db"], envelopes[2].id) == 1
    assert await processed_count(rig["db"], envelopes[1].id) == 0
    assert await wait_until(lambda: _mallory_done(rig, envelopes[1].id))


async def _mallory_done(rig, event_id) -> bool:
    return await processed_count(rig["db"], event_id) == 1
