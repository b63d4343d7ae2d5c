"""The platform as processes, for the fault suite: intake, routing, sla and notify, each
started, killed or doubled by the test, on a database and broker namespace of its own; a
load loop of reports through intake's HTTP API; and the counts that say whether anything
was lost or done twice."""

import asyncio
import os
import signal
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aio_pika
import httpx
from sqlalchemy import text

from bench.common import cli, free_port, scratch, start_service, wait_ready
from services.core.db import Database
from services.intake import accounts
from tests.directory import until_intake_knows

KEY = f"fleet-key-{uuid.uuid4().hex}"
CONSUMER_QUEUES = {"routing": "routing.tickets", "sla": "sla", "notify": "notify.events"}
ENV = {
    "DB_POOL_SIZE": "3", "OUTBOX_POLL_SECONDS": "0.2", "NOTIFY_POLL_SECONDS": "0.2",
    # Reports are made at any hour: quiet hours are notify's own tests' business.
    "NOTIFY_QUIET_START_HOUR": "24", "NOTIFY_QUIET_END_HOUR": "0",
}


def report(i: int) -> dict:
    """A street-light report of 砚山县江那镇: routing's rule assigns it without a human."""
    return {"channel": "hotline", "type": "complaint", "category": "municipal.streetlight",
            "content": f"故障演练第{i}号：江那镇振兴街路灯不亮",
            "location": {"region_code": "532622", "town_code": "532622100", "address": "振兴街"},
            "contact": {"name": "演练", "phone": f"137{i:08d}"}}


@dataclass
class Fleet:
    """Processes of the platform by name (`routing`, `routing-2`…), started and stopped here."""

    settings: object
    log_dir: object
    processes: dict = field(default_factory=dict)
    ports: dict = field(default_factory=dict)

    async def start(self, name: str, env: dict | None = None) -> int:
        """Start (or restart) one process of a service; its port once it is ready."""
        service = name.split("-")[0]
        port = self.ports.get(name) or free_port()
        self.ports[name] = port
        self.processes[name] = start_service(service, self.settings, port, {**ENV, **(env or {})},
                                             log_dir=self.log_dir)
        await wait_ready(port)
        return port

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, no ack, nothing flushed."""
        os.kill(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(10)

    async def died(self, name: str, timeout: float = 60) -> bool:
        """Wait until the process has exited by itself (a failpoint killed it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                return True
            await asyncio.sleep(0.1)
        return False

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            process.wait(20)

    @property
    def intake(self) -> str:
        return f"http://127.0.0.1:{self.ports['intake']}"


@asynccontextmanager
async def fleet(tmp_path):
    """A fresh database and namespace with the demo seed and a channel key; the fleet on it."""
    async with scratch("faults") as settings:
        await asyncio.to_thread(cli, settings, ENV, "topology")
        await asyncio.to_thread(cli, settings, ENV, "seed")
        db = Database(settings.database_url, pool_size=1)
        async with db.transaction() as session:
            await accounts.add_api_key(session, "fleet", KEY)
        await db.dispose()
        processes = Fleet(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop()


async def submit_for(fleet: Fleet, seconds: float, first: int, *, limit: int = 400) -> list[str]:
    """Reports one after another for `seconds` (at most `limit`); the numbers accepted."""
    await until_intake_knows(fleet.settings.database_url)  # routing's seed, relayed by routing
    loop, accepted = asyncio.get_running_loop(), []
    end = loop.time() + seconds
    async with httpx.AsyncClient(base_url=fleet.intake, headers={"X-Api-Key": KEY}, timeout=15) as client:
        for i in range(first, first + limit):
            if loop.time() >= end:
                break
            answer = await client.post("/v1/tickets", json=report(i))
            if answer.status_code == 201:
                accepted.append(answer.json()["number"])
            else:
                assert answer.status_code == 503, answer.text  # refused as unavailable, or taken
    return accepted


@dataclass
class Outcome:
    """Per accepted ticket, what each consumer did: lead assignments, clocks, citizen SMS."""

    leads: dict[str, int]
    clocks: dict[str, int]
    texts: dict[str, int]

    def missing(self, numbers: list[str]) -> list[str]:
        return [n for n in numbers
                if not (self.leads.get(n) and self.clocks.get(n) and self.texts.get(n))]

    def doubled(self) -> dict[str, list[str]]:
        return {name: sorted(n for n, count in counts.items() if count > 1)
                for name, counts in (("assignments", self.leads), ("clocks", self.clocks),
                                     ("texts", self.texts))}


async def outcome(settings, numbers: list[str]) -> Outcome:
    """Read what routing, sla and notify recorded for these tickets."""
    db = Database(settings.database_url, pool_size=1)
    queries = {
        "leads": "SELECT t.number, count(*) FROM routing.assignments a JOIN routing.tickets t "
                 "ON t.id = a.ticket_id WHERE a.role = 'lead' AND t.number = ANY(:n) GROUP BY t.number",
        "clocks": "SELECT number, count(*) FROM sla.clocks WHERE kind = 'completion' "
                  "AND number = ANY(:n) GROUP BY number",
        "texts": "SELECT ticket_number, count(*) FROM notify.messages WHERE audience = 'citizen' "
                 "AND template = 'ticket.accepted' AND ticket_number = ANY(:n) GROUP BY ticket_number",
    }
    counts = {}
    async with db.transaction() as session:
        for name, sql in queries.items():
            counts[name] = dict((await session.execute(text(sql), {"n": numbers})).all())
    await db.dispose()
    return Outcome(**counts)


async def settled(settings, numbers: list[str], timeout: float = 120) -> tuple[Outcome, float]:
    """Wait until every ticket is assigned, timed and texted; what was recorded, and when."""
    started = time.monotonic()
    while True:
        found = await outcome(settings, numbers)
        if not found.missing(numbers) or time.monotonic() - started > timeout:
            return found, time.monotonic() - started
        await asyncio.sleep(0.5)


async def queues_left(settings) -> dict[str, int]:
    """Messages still waiting (or dead) in the consumers' queues: all must be acknowledged."""
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    left = {}
    for name in CONSUMER_QUEUES.values():
        for queue in (settings.broker_name(name), settings.broker_name(name) + ".dead"):
            declared = await channel.declare_queue(queue, passive=True)
            left[queue.removeprefix(settings.broker_namespace)] = declared.declaration_result.message_count
    await connection.close()
    return left


async def metric(port: int, name: str, **labels) -> float:
    """The sum of a Prometheus counter's samples with these labels, from one process."""
    async with httpx.AsyncClient() as client:
        body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total
