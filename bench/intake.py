"""make bench-intake: N tickets at concurrency C through intake's HTTP API, and their events."""

import argparse
import asyncio
import json
import time
from pathlib import Path

import aio_pika
import aiohttp

from bench.common import cpu_seconds, free_port, percentile, scratch, start_service, wait_ready
from services.core.broker import declare_exchanges
from services.core.db import Database
from services.intake import accounts
from services.intake.models import names
from tests.directory import announce, demo_events

KEY = "bench-channel-key-0123456789"


# What a hotline agent types, with the category picked on the call (each has a rule in 砚山县).
REPORTS = (
    ("municipal.noise", "江那镇振兴街夜间烧烤摊油烟和噪音扰民，已经持续一个多月，请相关部门处理。"),
    ("sanitation", "集镇街道上的生活垃圾堆了一个星期没人清运，臭气熏天。"),
    ("municipal", "团结路与文化路交叉口的路灯坏了两个星期，晚上走路很危险。"),
    ("market.food", "在超市买到过期的牛奶，商家不给退换，要求市场监管部门查处。"),
    ("rights.wage", "工地老板拖欠我们十几个工人三个月工资，一直不给结算。"),
    ("policy.social_insurance", "想咨询一下灵活就业人员怎么在县里缴纳养老保险，需要带什么材料。"),
    ("ecology", "小区旁边的工厂晚上偷排废水，河里的鱼都死了，气味很大。"),
    ("social_affairs.education", "孩子上小学的学位分配不合理，离家很远，希望教育局给个说法。"),
    ("social_affairs.health", "县医院挂号排队太久，窗口只开一个，老人站不住。"),
    ("infrastructure.road", "村里通往镇上的道路塌了一大块，车辆过不去，希望尽快修复。"),
)


def ticket(i: int) -> dict:
    """A realistic mix: ten kinds of report, spread over the county on a 300 m grid."""
    category, report = REPORTS[i % len(REPORTS)]
    return {
        "channel": "hotline", "type": "complaint", "category": category,
        "content": f"{report}（第{i}号）",
        "location": {"region_code": "532622", "town_code": "532622100", "address": "江那镇",
                     "lat": 23.55 + (i % 40) * 0.003, "lng": 104.28 + (i // 40 % 40) * 0.003},
        "contact": {"name": "测试", "phone": f"136{i:08d}"},  # not the demo staff phones (138/139)
    }


async def count_events(settings, expected: int, done: asyncio.Event, counter: dict) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=500)
    events, _ = await declare_exchanges(channel, settings.broker_namespace)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(events, "ticket.created")
    counter["ready"].set()
    async with queue.iterator() as messages:
        async for message in messages:
            await message.ack()
            counter["n"] += 1
            if counter["n"] >= expected:
                done.set()
                break
    await connection.close()


async def post_closed_loop(port: int, n: int, concurrency: int, offset: int = 0) -> dict[str, tuple]:
    """Each of `concurrency` clients posts its next ticket when answered: number → (start, seconds)."""
    started: dict[str, tuple] = {}
    pending = iter(range(offset, offset + n))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", connector=connector,
                                     headers={"X-Api-Key": KEY}) as client:
        async def worker():
            for i in pending:
                t0 = time.perf_counter()
                async with client.post("/v1/tickets", json=ticket(i)) as response:
                    body = await response.json()
                    assert response.status == 201, body
                started[body["number"]] = (t0, time.perf_counter() - t0)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return started


async def post_open_loop(port: int, rate: float, seconds: float, offset: int) -> list[tuple]:
    """A ticket every 1/rate seconds whatever the answers: POST latencies below saturation."""
    latencies: list[float] = []
    refused: list[str] = []
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", headers={"X-Api-Key": KEY},
                                     connector=aiohttp.TCPConnector(limit=512)) as client:
        async def one(i: int) -> None:
            t0 = time.perf_counter()
            async with client.post("/v1/tickets", json=ticket(i)) as response:
                body = await response.text()
                if response.status != 201:
                    refused.append(f"{response.status} {body[:200]}")
            latencies.append((t0, time.perf_counter() - t0))

        tasks, start = [], time.perf_counter()
        for k in range(int(rate * seconds)):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(offset + k)))
        await asyncio.gather(*tasks)
    if refused:
        raise SystemExit(f"{len(refused)} tickets refused in the open-loop phase, e.g. {refused[0]}")
    return latencies


async def main(n: int, concurrency: int, rate: float) -> dict:
    async with scratch("benchintake") as settings:
        db = Database(settings.database_url, pool_size=1)
        async with db.transaction() as session:
            await accounts.add_api_key(session, "bench", KEY)
        await announce(db, names, demo_events())  # the directory routing's seed announces
        await db.dispose()
        port = free_port()
        process = start_service("intake", settings, port)
        try:
            await wait_ready(port)
            done, counter = asyncio.Event(), {"n": 0, "ready": asyncio.Event()}
            counting = asyncio.create_task(count_events(settings, n, done, counter))
            await counter["ready"].wait()
            started, cpu_before = time.perf_counter(), cpu_seconds(process.pid)
            posted = await post_closed_loop(port, n, concurrency)
            latencies = [seconds for _, seconds in posted.values()]
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(process.pid) - cpu_before
            try:
                await asyncio.wait_for(done.wait(), 60)
            except TimeoutError:
                counting.cancel()
            drained = time.perf_counter() - started
            # Below saturation: a ticket every 1/rate s, whatever the answers.
            open_loop = [seconds for _, seconds in await post_open_loop(port, rate, 10.0, n)]
        finally:
            process.terminate()
            process.wait(10)
    return {
        "tickets": n, "concurrency": concurrency,
        "tickets_per_s": round(n / elapsed, 1),
        "post_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "post_p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "intake_cpu_ms_per_ticket": round(cpu / n * 1000, 2),
        "offered_rate_per_s": rate,
        "post_p50_ms_at_offered_rate": round(percentile(open_loop, 50) * 1000, 1),
        "post_p99_ms_at_offered_rate": round(percentile(open_loop, 99) * 1000, 1),
        "events_on_broker": counter["n"],
        "all_events_after_s": round(drained, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=200.0, help="offered tickets/s of the open loop")
    args = parser.parse_args()
    result = asyncio.run(main(args.tickets, args.concurrency, args.rate))
    for key, value in result.items():
        print(f"{key:22} {value}")
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    Path("bench/results/intake.json").write_text(json.dumps(result, indent=2))
    if result["events_on_broker"] != result["tickets"]:
        raise SystemExit("events lost: the broker did not receive one ticket.created per ticket")
