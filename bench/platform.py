"""make bench: the whole platform, end to end, against this machine's raw ceiling.

N tickets go through intake's HTTP API at concurrency C with all five services running
as separate processes. A ticket is done when it is assigned (routing), has its SLA
clocks (sla) and its citizen's acknowledgment was sent (notify). Then an open loop offers
a fixed rate (a ticket every 1/rate s, whatever the answers) for POST latency, once with
every service working and once with the four behind intake paused. The minimal pipeline
of bench/ceiling.py, run first, measures what this machine can do at all.
"""

import argparse
import asyncio
import gc
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

import aio_pika
import asyncpg
import orjson

from bench import ceiling
from bench.common import (
    cpu_by_command,
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    percentile,
    scratch,
    start_service,
    wait_ready,
    waited_seconds,
)
from bench.intake import KEY, post_closed_loop, post_open_loop
from services.core.broker import declare_exchanges
from services.media.s3server import start_s3

SERVICES = ("intake", "routing", "sla", "notify", "media")
SERVERS = ("postgres", "beam.smp")  # PostgreSQL's processes, RabbitMQ's Erlang VM
BEHIND_NICE = 10  # CPU weight 110 against intake's 1024 (Linux CFS): about compose's 1:8


class Watch:
    """Times at which each ticket was assigned and acknowledged, seen on the broker."""

    def __init__(self):
        self.assigned: dict[str, float] = {}
        self.acknowledged: dict[str, float] = {}
        self.changed = asyncio.Event()

    async def start(self, settings) -> None:
        """Bind a private queue to what marks progress, and watch it until `stop`."""
        self.connection = await aio_pika.connect(settings.amqp_url)
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=1000)
        events, _ = await declare_exchanges(channel, settings.broker_namespace)
        queue = await channel.declare_queue(exclusive=True)
        for key in ("ticket.assigned.*", "notify.sent"):
            await queue.bind(events, key)
        await queue.consume(self._on_message, no_ack=True)

    async def stop(self) -> None:
        await self.connection.close()

    async def _on_message(self, message) -> None:
        self._see(orjson.loads(message.body))

    def _see(self, envelope: dict) -> None:
        data, now = envelope["data"], time.perf_counter()
        if envelope["type"] == "ticket.assigned":
            self.assigned.setdefault(data["number"], now)
        elif data.get("audience") == "citizen" and "accepted" in data.get("template", ""):
            self.acknowledged.setdefault(data.get("ticket_number"), now)
        self.changed.set()


async def wait_done(watch: Watch, numbers, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(n in watch.assigned and n in watch.acknowledged for n in numbers):
            return True
        watch.changed.clear()
        try:
            await asyncio.wait_for(watch.changed.wait(), 1.0)
        except TimeoutError:
            pass
    return False


async def _fetch(settings, query: str, *args) -> list:
    url = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def _fetchval(settings, query: str, *args):
    return (await _fetch(settings, query, *args))[0][0]


async def backend_pids(settings, service: str) -> list[int]:
    """The PostgreSQL backends serving one service's connections (its application_name)."""
    return [row["pid"] for row in await _fetch(
        settings, "SELECT pid FROM pg_stat_activity WHERE application_name = $1"
                  " AND datname = current_database()", service)]


async def clocks_recorded(settings, numbers) -> int:
    return await _fetchval(
        settings, "SELECT count(DISTINCT number) FROM sla.clocks WHERE number = ANY($1::text[])",
        list(numbers))


async def commits(settings) -> int:
    """Transactions committed in the run's database so far (PostgreSQL's own count)."""
    return await _fetchval(
        settings, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")


async def events_published(settings) -> int:
    """Events every service's outbox has held: what the platform put on the broker."""
    return await _fetchval(settings, " + ".join(
        f"(SELECT count(*) FROM {schema}.outbox)" for schema in SERVICES).join(("SELECT ", "")))


async def run(n: int, concurrency: int, rate: float) -> dict:
    async with scratch("bench") as settings:
        with tempfile.TemporaryDirectory() as s3_dir:
            s3 = start_s3(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key, s3_dir)
            try:
                return await _measure(settings.model_copy(update={"s3_endpoint": s3.endpoint}),
                                      n, concurrency, rate)
            finally:
                s3.stop()


def _env(settings, ports) -> dict:
    return {"S3_ENDPOINT": settings.s3_endpoint, "SMS_PROVIDER": "console", "WECHAT_PROVIDER": "console",
            "MEDIA_URL": f"http://127.0.0.1:{ports['media']}", "DEV_API_KEY": KEY,
            "DEV_PASSWORD": "bench-password",
            # Every acknowledgment counts, at any hour: quiet hours would hold them until 08:00.
            "NOTIFY_QUIET_START_HOUR": "24", "NOTIFY_QUIET_END_HOUR": "0",
            "NOTIFY_POLL_SECONDS": "0.2"}


async def _measure(settings, n: int, concurrency: int, rate: float) -> dict:
    ceiling_rate = await ceiling.measure(settings, n)  # before the platform runs: the machine alone
    ports = {name: free_port() for name in SERVICES}
    env = _env(settings, ports)
    seed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", "seed", env={**_base_env(settings), **env},
        stdout=asyncio.subprocess.DEVNULL)
    await seed.wait()
    # The front door first, as deploy/compose.yaml weighs it (cpu_shares 1024 against 128):
    # a citizen's POST is answered while the services behind it catch up on what it queued.
    processes = {name: start_service(name, settings, ports[name], env,
                                     nice=0 if name == "intake" else BEHIND_NICE)
                 for name in SERVICES}
    try:
        await asyncio.gather(*(wait_ready(port) for port in ports.values()))
        result = await _phases(settings, ports, processes, n, concurrency, rate)
        result["ceiling_tickets_per_s"] = round(ceiling_rate, 1)
        result["ratio"] = round(result["e2e_tickets_per_s"] / ceiling_rate, 3)
        return result
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(15)


def _base_env(settings) -> dict:
    import os

    return {**os.environ, "DATABASE_URL": settings.database_url, "AMQP_URL": settings.amqp_url,
            "BROKER_NAMESPACE": settings.broker_namespace, "LOG_LEVEL": "WARNING"}


async def _phases(settings, ports, processes, n, concurrency, rate) -> dict:
    watch = Watch()
    await watch.start(settings)
    cpu_before = {name: cpu_seconds(p.pid) for name, p in processes.items()}
    busy_before, servers_before = machine_busy_seconds(), cpu_by_command(SERVERS)
    commits_before, events_before = await commits(settings), await events_published(settings)
    t0 = time.perf_counter()
    posted = await post_closed_loop(ports["intake"], n, concurrency)
    finished = await wait_done(watch, posted, timeout=max(120, n / 20))
    elapsed = max(watch.acknowledged.get(k, 0) for k in posted) - t0 if finished else float("nan")
    cpu = {name: (cpu_seconds(p.pid) - cpu_before[name]) / n for name, p in processes.items()}
    servers = cpu_by_command(SERVERS)
    cpu["postgresql"] = (servers["postgres"] - servers_before["postgres"]) / n
    cpu["rabbitmq"] = (servers["beam.smp"] - servers_before["beam.smp"]) / n
    # The rest of the machine's work: this client, the kernel, anything else running.
    cpu["everything_else"] = (machine_busy_seconds() - busy_before) / n - sum(cpu.values())
    clocks = await clocks_recorded(settings, posted)
    commits_per_ticket = (await commits(settings) - commits_before) / n
    events_per_ticket = (await events_published(settings) - events_before) / n
    e2e = [watch.acknowledged[k] - start for k, (start, _) in posted.items() if k in watch.acknowledged]
    done = sum(1 for k in posted if k in watch.assigned and k in watch.acknowledged)
    e2e_rate = n / elapsed if finished else done / (time.perf_counter() - t0)
    await watch.stop()  # its work is done: it must not share this client's loop with the open loop
    # This client's own garbage (the closed loop's) must not pause the open loop's clock.
    gc.collect()
    gc.freeze()
    intake_pid = processes["intake"].pid
    backends = await backend_pids(settings, "intake")
    intake_cpu, intake_wait = cpu_seconds(intake_pid), waited_seconds(intake_pid)
    backends_wait = sum(map(waited_seconds, backends))
    sent = await post_open_loop(ports["intake"], rate, 10.0, offset=n)
    intake_cpu = (cpu_seconds(intake_pid) - intake_cpu) / len(sent)
    intake_wait = (waited_seconds(intake_pid) - intake_wait) / len(sent)
    backends_wait = (sum(map(waited_seconds, backends)) - backends_wait) / len(sent)
    open_loop = [seconds for _, seconds in sent]
    first = min(t for t, _ in sent)
    by_second = [[s for t, s in sent if int(t - first) == k] for k in range(10)]
    # The same again with the services behind intake paused: what the front door does
    # without the database and broker work its backlog causes on these same cores.
    behind = [p for name, p in processes.items() if name != "intake"]
    for process in behind:
        process.send_signal(signal.SIGSTOP)
    try:
        alone = [s for _, s in await post_open_loop(ports["intake"], rate, 10.0, n + len(sent))]
    finally:
        for process in behind:
            process.send_signal(signal.SIGCONT)
    return {
        "tickets": n, "concurrency": concurrency,
        "e2e_tickets_per_s": round(e2e_rate, 1),
        "post_p50_ms": round(percentile([d for _, d in posted.values()], 50) * 1000, 1),
        "post_p99_ms": round(percentile([d for _, d in posted.values()], 99) * 1000, 1),
        "e2e_p50_ms": round(percentile(e2e, 50) * 1000, 1) if e2e else None,
        "e2e_p99_ms": round(percentile(e2e, 99) * 1000, 1) if e2e else None,
        "offered_rate_per_s": rate,
        "post_p99_ms_at_offered_rate": round(percentile(open_loop, 99) * 1000, 1),
        "post_p50_ms_at_offered_rate": round(percentile(open_loop, 50) * 1000, 1),
        "post_p99_ms_each_second": [round(percentile(b, 99) * 1000) for b in by_second if b],
        "intake_cpu_ms_per_post_at_offered_rate": round(intake_cpu * 1000, 2),
        # Time spent ready to run but without a CPU: the front door queueing behind the rest.
        "intake_waited_for_cpu_ms_per_post_at_offered_rate": round(intake_wait * 1000, 2),
        "intake_db_backends_waited_for_cpu_ms_per_post_at_offered_rate": round(backends_wait * 1000, 2),
        "post_p99_ms_at_offered_rate_services_behind_paused": round(percentile(alone, 99) * 1000, 1),
        "lost": n - done, "sla_clocks_recorded": clocks,
        "cpu_ms_per_ticket": {name: round(v * 1000, 2) for name, v in cpu.items()},
        # The work behind one ticket, against the ceiling's 1 event and 2 commits.
        "events_per_ticket": round(events_per_ticket, 1),
        "db_commits_per_ticket": round(commits_per_ticket, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--tickets", type=int, default=5000)
    parser.add_argument("-c", "--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=200.0, help="offered tickets/s of the open-loop phase")
    args = parser.parse_args()
    result = asyncio.run(run(args.tickets, args.concurrency, args.rate))
    for key, value in result.items():
        print(f"{key:30} {value}")
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    Path("bench/results/latest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
