"""Department queues: what a unit's own system receives, and the tools that set it up."""

import asyncio
import time

import aio_pika
import orjson
import pytest
from typer.testing import CliRunner

from services.cli import app as cli
from services.core.settings import get_settings
from services.intake.events import UnitAction
from services.routing.departments import UnknownUnit, declare_dept_queue
from services.routing.dept_consumer import consume, describe
from tests.routing.flow import publish, submit

FOOD = "这家餐馆卖的凉菜吃了拉肚子，后厨很脏。"


class SlaWarning(UnitAction):
    """What sla publishes (docs/events.md), made here so routing is tested on its own."""

    type = "sla.warning"
    clock: str
    deadline: str
    seconds_left: int
    level: str

    def routing_key(self) -> str:
        return f"{self.type}.{self.unit_code}"


async def receive(settings, queue_name: str, number: str, kind: str, timeout: float = 10.0) -> dict:
    """The first message about a ticket on a queue, waiting up to `timeout` seconds."""
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = await queue.get(fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            await message.ack()
            body = orjson.loads(message.body)
            if body["type"] == kind and body["data"].get("number") == number:
                return {**body, "_routing_key": message.routing_key}
        raise AssertionError(f"no {kind} for {number} on {queue_name} within {timeout}s")
    finally:
        await connection.close()


async def test_a_categorized_ticket_lands_in_the_departments_queue_within_seconds(settings,
                                                                                  intake):
    spec = await declare_dept_queue(settings, "532622-market")
    started = time.monotonic()

    ticket = await submit(intake, FOOD, category="market.food")
    message = await receive(settings, spec.name, ticket["number"], "ticket.assigned")

    elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"took {elapsed:.2f}s"
    assert message["_routing_key"] == "ticket.assigned.532622-market"
    assert message["data"]["role"] == "lead" and message["data"]["category"] == "market.food"


async def test_sla_alerts_reach_the_departments_queue(settings, routing):
    spec = await declare_dept_queue(settings, "532622-health")

    await publish(settings, SlaWarning(number="WS-SLA-1", unit_code="532622-health",
                                       clock="response", deadline="2026-11-24T02:00:00Z",
                                       seconds_left=900, level="75%"))

    message = await receive(settings, spec.name, "WS-SLA-1", "sla.warning")
    assert describe(message) == "即将超时 WS-SLA-1：响应时限 2026-11-24T02:00:00Z"


async def test_the_example_consumer_prints_what_the_department_receives(settings, intake):
    await declare_dept_queue(settings, "532622-water")
    ticket = await submit(intake, "江那镇振兴街停水两天了，自来水一直没来。",
                          category="infrastructure.water")
    lines: list[str] = []

    seen = await asyncio.wait_for(consume(settings, "532622-water", show=lines.append, limit=1),
                                  timeout=10)

    assert seen == 1
    assert lines[0] == (f"新工单 {ticket['number']}：砚山县水务局（牵头） 分类 infrastructure.water"
                        " 紧急程度 urgent 时限类别 urgent 来由 auto")
    assert orjson.loads(lines[1])["data"]["number"] == ticket["number"]


@pytest.mark.parametrize("code", ["532622-nowhere", "bad code", "a.b", "x"])
async def test_unknown_or_malformed_units_get_no_queue(settings, routing, code):
    with pytest.raises(UnknownUnit):
        await declare_dept_queue(settings, code)


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("AMQP_URL", settings.amqp_url)
    monkeypatch.setenv("BROKER_NAMESPACE", settings.broker_namespace)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_dept_queue_command(settings, db, cli_env):
    made = CliRunner().invoke(cli, ["dept-queue", "532622-police"])
    refused = CliRunner().invoke(cli, ["dept-queue", "532622-nowhere"])

    assert made.exit_code == 0, made.output
    assert f"queue {settings.broker_namespace}dept.532622-police <- " in made.output
    assert "ticket.assigned.532622-police, sla.*.532622-police" in made.output
    assert refused.exit_code == 2 and "not in the directory" in refused.output
