"""The consumers under faults, with the platform as processes: RabbitMQ cut from routing and
sla while reports flow, routing killed between an effect and its ack, two replicas of every
consumer, poison messages on a live queue. Every accepted report ends up assigned, timed and
texted exactly once, and every queue drains."""

import asyncio

import aio_pika
import httpx
import orjson
import pytest

from bench.common import cli
from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from tests.faults.conftest import target, via
from tests.faults.fleet import CONSUMER_QUEUES, fleet, metric, queues_left, settled, submit_for
from tests.faults.report import Row

pytestmark = pytest.mark.timeout(420)
CUT_SECONDS = 10.0


def drained(left: dict[str, int]) -> bool:
    return all(count == 0 for count in left.values())


def row(fault: str, accepted: list[str], found, recovery: float, sent: int | None = None) -> Row:
    return Row(fault, sent if sent is not None else len(accepted), len(accepted),
               lost=len(found.missing(accepted)),
               doubled=sum(len(v) for v in found.doubled().values()), recovery_s=recovery)


async def test_a_broker_cut_while_consuming_loses_and_doubles_nothing(tmp_path, proxy_to, reliability):
    async with fleet(tmp_path) as platform:
        settings = platform.settings
        proxy, port = await proxy_to(*target(settings.amqp_url, 5672))
        cut_off = {"AMQP_URL": via(settings.amqp_url, port)}
        await platform.start("intake")
        for consumer in ("routing", "sla"):
            await platform.start(consumer, cut_off)
        await platform.start("notify")

        accepted = await submit_for(platform, 3.0, 10_000)
        proxy.cut()
        accepted += await submit_for(platform, CUT_SECONDS, 20_000)
        proxy.restore()
        restored = asyncio.get_running_loop().time()
        accepted += await submit_for(platform, 3.0, 30_000)

        found, _ = await settled(settings, accepted)
        recovery = asyncio.get_running_loop().time() - restored
        reliability.append(row("RabbitMQ cut from routing and sla for 10 s (consuming)", accepted,
                               found, recovery))
        assert found.missing(accepted) == [] and found.doubled() == {
            "assignments": [], "clocks": [], "texts": []}
        assert await wait_until(lambda: _drained(settings), timeout=30), await queues_left(settings)


async def test_routing_killed_between_effect_and_ack_has_no_second_effect(tmp_path, reliability):
    async with fleet(tmp_path) as platform:
        settings = platform.settings
        await platform.start("intake")
        await platform.start("sla")
        await platform.start("notify")
        # The fifth time routing commits what it decided, it dies before acking it.
        await platform.start("routing", {"FAILPOINTS": "consumer.after_effect=kill@5"})

        accepted = await submit_for(platform, 4.0, 40_000)
        assert await platform.died("routing"), "the failpoint never fired"
        accepted += await submit_for(platform, 2.0, 50_000)  # routing is down meanwhile
        restarted = asyncio.get_running_loop().time()
        port = await platform.start("routing")  # no failpoint this time

        found, _ = await settled(settings, accepted)
        recovery = asyncio.get_running_loop().time() - restarted
        # The proof the kill fell between effect and ack: the broker redelivered events that
        # were already handled, and the new process recognised them.
        redelivered = await metric(port, "hotline_events_consumed_total", outcome="duplicate")
        reliability.append(row("routing killed (SIGKILL) between an effect and its ack", accepted,
                               found, recovery))
        assert redelivered >= 1
        assert found.missing(accepted) == [] and found.doubled() == {
            "assignments": [], "clocks": [], "texts": []}


async def test_two_replicas_of_each_consumer_do_each_thing_once(tmp_path, reliability):
    async with fleet(tmp_path) as platform:
        settings = platform.settings
        for name in ("intake", "intake-2", "routing", "routing-2", "sla", "sla-2", "notify", "notify-2"):
            await platform.start(name)

        accepted = await submit_for(platform, 8.0, 60_000)
        finished = asyncio.get_running_loop().time()

        found, _ = await settled(settings, accepted)
        reliability.append(row("two replicas of intake, routing, sla and notify", accepted, found,
                               asyncio.get_running_loop().time() - finished))
        assert found.missing(accepted) == [] and found.doubled() == {
            "assignments": [], "clocks": [], "texts": []}
        assert await wait_until(lambda: _drained(settings), timeout=30), await queues_left(settings)


async def test_poison_messages_are_dead_lettered_listed_and_replayed_while_reports_flow(tmp_path):
    async with fleet(tmp_path) as platform:
        settings = platform.settings
        for name in ("intake", "routing", "sla", "notify"):
            await platform.start(name)
        connection = await aio_pika.connect(settings.amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
        forged = {"id": "5f0c0f8e-4a4b-4c3d-9e1f-0a0b0c0d0e0f", "type": "ticket.teleported", "version": 1,
                  "occurred_at": "2026-12-01T00:00:00Z", "producer": "nobody", "ticket_id": None,
                  "correlation_id": "", "data": {}}
        await exchange.publish(aio_pika.Message(b"{not json", message_id="poison-1"),
                               routing_key="ticket.created")
        await exchange.publish(aio_pika.Message(orjson.dumps(forged), message_id=forged["id"]),
                               routing_key="ticket.created")
        await connection.close()

        accepted = await submit_for(platform, 3.0, 70_000)
        found, _ = await settled(settings, accepted)
        assert found.missing(accepted) == []  # the queue kept flowing past them

        admin = {"Authorization": "Bearer " + issue_token(
            Principal("admin", Role.admin, region="532600"), settings.jwt_secret, 600)}
        routing = f"http://127.0.0.1:{platform.ports['routing']}"
        async with httpx.AsyncClient(base_url=routing, headers=admin) as client:
            async def listed() -> bool:
                return len((await client.get("/v1/dead-letters")).json()) >= 2
            assert await wait_until(listed, timeout=20), "the poison never reached routing.dead"
            dead = (await client.get("/v1/dead-letters")).json()
        assert "ticket.teleported" in {d["type"] for d in dead}

        # The operator's replay puts them back on the queue; still poison, they come back dead.
        await asyncio.to_thread(cli, settings, {}, "dead-letters", "routing", "--replay")
        assert await wait_until(lambda: _dead_count(settings, "routing", 2), timeout=20)


async def _drained(settings) -> bool:
    return drained(await queues_left(settings))


async def _dead_count(settings, service: str, expected: int) -> bool:
    left = await queues_left(settings)
    return left[CONSUMER_QUEUES[service] + ".dead"] == expected
