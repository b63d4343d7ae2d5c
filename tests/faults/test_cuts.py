"""Cut PostgreSQL or RabbitMQ away from intake for 10 s while reports keep coming: nothing
accepted is lost, nothing is published twice, and what was refused was refused as a 503."""

import asyncio

import pytest
from sqlalchemy import select

from services.core.db import Database
from services.core.testing import running, tap
from services.intake.app import create_app
from services.intake.models import tickets
from tests.faults.conftest import target, via
from tests.faults.report import Row

pytestmark = pytest.mark.timeout(180)
CUT_SECONDS = 10.0


def report(i: int) -> dict:
    return {"channel": "hotline", "type": "complaint", "content": f"故障演练第{i}号：路灯不亮",
            "location": {"region_code": "532622"}, "contact": {"name": "演练", "phone": f"136{i:08d}"}}


async def keep_submitting(client, headers, first: int, seconds: float) -> list[tuple[int, object]]:
    """Reports one after another for `seconds` (bounded in count too); each answer kept."""
    loop, answers = asyncio.get_running_loop(), []
    end = loop.time() + seconds
    for i in range(first, first + 500):
        if loop.time() >= end:
            break
        answers.append((i, await client.post("/v1/tickets", json=report(i), headers=headers,
                                              timeout=15)))
    return answers


async def stored(settings, numbers: list[str]) -> set[str]:
    db = Database(settings.database_url, pool_size=1)
    async with db.transaction() as session:
        found = await session.scalars(select(tickets.c.number).where(tickets.c.number.in_(numbers)))
        result = set(found)
    await db.dispose()
    return result


async def test_a_database_cut_is_503s_and_loses_nothing(settings, proxy_to, channel_key, reliability):
    proxy, port = await proxy_to(*target(settings.database_url, 5432))
    app = create_app(settings.model_copy(update={"database_url": via(settings.database_url, port)}))
    async with running(app) as client:
        before = await keep_submitting(client, channel_key, 1000, 1.0)
        proxy.cut()
        during = await keep_submitting(client, channel_key, 2000, CUT_SECONDS)
        proxy.restore()
        restored = asyncio.get_running_loop().time()
        after = await keep_submitting(client, channel_key, 3000, 5.0)
    answers = before + during + after
    assert {r.status_code for _, r in answers} <= {201, 503}, [r.text for _, r in answers][:3]
    assert during and all(r.status_code == 503 for _, r in during)
    assert all(r.headers["retry-after"] and r.headers["content-type"] == "application/problem+json"
               for _, r in during)
    assert before[0][1].status_code == 201 and after[-1][1].status_code == 201  # back on its own
    accepted = [r.json()["number"] for _, r in answers if r.status_code == 201]
    kept = await stored(settings, accepted)
    reliability.append(Row("PostgreSQL cut from intake for 10 s", len(answers), len(accepted),
                           lost=len(set(accepted) - kept), doubled=len(accepted) - len(set(accepted)),
                           recovery_s=_first_accepted(after, restored)))
    assert kept == set(accepted)


def _first_accepted(after, since: float) -> float | None:
    """Seconds from `since` to the first report accepted again (answers carry their timing)."""
    elapsed = 0.0
    for _, response in after:
        elapsed += response.elapsed.total_seconds()
        if response.status_code == 201:
            return elapsed
    return None


async def test_a_broker_cut_delays_events_and_loses_none(settings, proxy_to, channel_key, reliability):
    proxy, port = await proxy_to(*target(settings.amqp_url, 5672))
    app = create_app(settings.model_copy(update={"amqp_url": via(settings.amqp_url, port)}))
    async with tap(settings, "ticket.created") as events, running(app) as client:
        proxy.cut()
        during = await keep_submitting(client, channel_key, 4000, CUT_SECONDS)
        proxy.restore()
        restored = asyncio.get_running_loop().time()
        numbers = {r.json()["number"] for _, r in during if r.status_code == 201}
        assert numbers and len(numbers) == len(during)  # the front door never needed the broker

        def ours(message: dict) -> bool:
            return message["data"]["number"] in numbers

        seen = await events.collect(ours, count=len(numbers), timeout=90)
        recovery = asyncio.get_running_loop().time() - restored
        await events.drain(2.0)
    published = [m["data"]["number"] for m in events.seen if ours(m)]
    reliability.append(Row("RabbitMQ cut from intake for 10 s (front door)", len(during), len(numbers),
                           lost=len(numbers - set(published)),
                           doubled=len(published) - len(set(published)), recovery_s=recovery))
    assert len(seen) >= len(numbers) and sorted(published) == sorted(numbers)  # each exactly once
