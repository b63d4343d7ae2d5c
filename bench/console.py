"""make bench-console: the console's pages over a million tickets, at concurrency 8.

Seeds N tickets (1,000,000 by default) straight into intake's tables with set-based SQL
(bench/seed_tickets.py), runs the five services and the console as their own processes,
logs in as a county dispatcher, a town handler and the prefecture's admin, and asks for
the list with each single filter, the dashboard and single tickets, measuring each page
as an HTTP client sees it. Figures go to bench/results/console.json.
"""

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx

from bench import seed_tickets
from bench.common import (
    cli,
    free_port,
    percentile,
    remove_broker_names,
    scratch,
    services_running,
)
from services.core.migrate import upgrade_all
from services.core.settings import Settings
from services.media.s3server import start_s3

SERVICES = ("intake", "routing", "sla", "notify", "media")
PASSWORD = "bench-console-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RESULTS = Path(__file__).parent / "results" / "console.json"
PEOPLE = {"dispatcher": "center-532622", "handler": "handler-532622100", "admin": "admin"}


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def samples(settings) -> dict:
    """Real values of the seeded data to ask for: numbers, a phone, a word of some content."""
    connection = await asyncpg.connect(_plain(settings.database_url))
    try:
        numbers = [r["number"] for r in await connection.fetch(
            "SELECT number FROM (SELECT number FROM intake.tickets WHERE units @> ARRAY['532622100']::varchar[] "
            "LIMIT 5000) AS picked ORDER BY random() LIMIT 200")]
        phone = await connection.fetchval("SELECT contact_phone FROM intake.tickets LIMIT 1")
        total = await connection.fetchval("SELECT count(*) FROM intake.tickets")
    finally:
        await connection.close()
    return {"numbers": numbers, "phone": phone, "total": total}


def scenarios(found: dict) -> dict[str, list[str]]:
    """Each page asked for: the list unfiltered and with one filter at a time, the dashboard, tickets."""
    single = {
        "list, no filter": "", "list, status": "status=in_progress", "list, category": "category=municipal",
        "list, unit": "unit=532622100", "list, county": "region=532622", "list, town": "town=532622101",
        "list, urgency": "urgency=urgent", "list, channel": "channel=wechat", "list, type": "type=consult",
        "list, dates": "created_from=2026-03-01&created_to=2026-03-31", "list, SLA overdue": "sla=overdue",
        "list, SLA warning": "sla=warning", "list, words": "q=农贸市场", "list, phone": f"phone={found['phone']}",
        "list, sorted by deadline": "sort=due_asc", "list, queue to_sign": "queue=to_sign",
    }
    pages = {name: [f"/tickets?{query}"] for name, query in single.items()}
    pages["dashboard"] = ["/"]
    pages["ticket page"] = [f"/tickets/{n}" for n in found["numbers"]]
    return pages


async def login(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60,
                               limits=httpx.Limits(max_connections=16, max_keepalive_connections=16))
    page = await client.get("/login")
    token = CSRF.search(page.text).group(1)
    answer = await client.post("/login", data={"csrf_token": token, "username": username,
                                               "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


async def measure(client: httpx.AsyncClient, paths: list[str], requests: int, concurrency: int) -> dict:
    """Latency of `requests` GETs spread over `paths`, `concurrency` at a time."""
    for path in paths[:3]:  # warm: connections, caches of names and the calendar
        await client.get(path)
    todo = [paths[i % len(paths)] for i in range(requests)]
    random.Random(7).shuffle(todo)
    times: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while todo:
            path = todo.pop()
            started = time.perf_counter()
            response = await client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            failures += response.status_code != 200

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"requests": requests, "failures": failures, "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1), "p99_ms": round(percentile(times, 99), 1)}


async def measure_pages(port: int, found: dict, requests: int, concurrency: int) -> dict:
    """Every page for each person, one after the other; their latencies by name."""
    results = {}
    for who, username in PEOPLE.items():
        client = await login(f"http://127.0.0.1:{port}", username)
        for name, paths in scenarios(found).items():
            if who != "handler" and name == "list, queue to_sign":
                continue
            results[f"{who}: {name}"] = await measure(client, paths, requests, concurrency)
            print(f"{who:10} {name:28} {results[f'{who}: {name}']}", flush=True)
        await client.aclose()
    return results


@asynccontextmanager
async def database(name: str | None):
    """A scratch database, or a kept one (`--database`) so a re-run need not seed again."""
    if not name:
        async with scratch("console") as settings:
            yield settings
        return
    base = Settings()
    settings = base.model_copy(update={
        "database_url": base.database_url.rsplit("/", 1)[0] + f"/{name}",
        "broker_namespace": f"bench-console.{uuid.uuid4().hex[:8]}."})
    admin = await asyncpg.connect(_plain(base.database_url.rsplit("/", 1)[0] + "/postgres"))
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await asyncio.to_thread(upgrade_all, settings.database_url)
    try:
        yield settings
    finally:
        await remove_broker_names(settings)


async def tickets_in(settings) -> int:
    connection = await asyncpg.connect(_plain(settings.database_url))
    try:
        return await connection.fetchval("SELECT count(*) FROM intake.tickets")
    finally:
        await connection.close()


async def run(tickets: int, concurrency: int, requests: int, tmp: Path, kept: str | None) -> dict:
    async with database(kept) as settings:
        started = time.perf_counter()
        if not await tickets_in(settings):
            await seed_tickets.seed(settings.database_url, tickets)
        seeded = time.perf_counter() - started
        s3 = start_s3(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key, str(tmp))
        ports = {name: free_port() for name in (*SERVICES, "console")}
        env = {"S3_ENDPOINT": s3.endpoint, "DEV_PASSWORD": PASSWORD, "DB_POOL_SIZE": "8",
               **{f"{n.upper()}_URL": f"http://127.0.0.1:{ports[n]}" for n in SERVICES}}
        await asyncio.to_thread(cli, settings, env, "topology")
        await asyncio.to_thread(cli, settings, env, "seed")
        try:
            async with services_running(settings, ports, env, ready_timeout=180):
                found = await samples(settings)
                results = await measure_pages(ports["console"], found, requests, concurrency)
        finally:
            s3.stop()
    return {"tickets": found["total"], "seed_seconds": round(seeded, 1), "concurrency": concurrency,
            "requests_per_page": requests, "pages": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="requests per page measured")
    parser.add_argument("--database", help="keep the tickets in this database (created, and "
                        "seeded when it has none) instead of a scratch one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = asyncio.run(run(args.tickets, args.concurrency, args.requests, Path(tmp),
                                 args.database))
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    worst = max(report["pages"].items(), key=lambda item: item[1]["p95_ms"])
    print(f"{report['tickets']:,} tickets (seeded in {report['seed_seconds']} s); "
          f"worst p95: {worst[0]} {worst[1]['p95_ms']} ms; written to {RESULTS}")


if __name__ == "__main__":
    main()
