"""Shared benchmark plumbing: a throwaway database and namespace, servers as subprocesses."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx

from services.core.migrate import upgrade_all
from services.core.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def waited_seconds(pid: int) -> float:
    """Time a process (its main thread) has spent ready to run but waiting for a CPU so far,
    from /proc/PID/schedstat; 0 once it is gone."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except OSError:
        return 0.0


def machine_busy_seconds() -> float:
    """CPU time every process of this machine has used so far (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def cpu_by_command(names: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds used so far by every process whose command is one of `names`, per name
    (PostgreSQL's backends and helpers, RabbitMQ's Erlang VM)."""
    used = dict.fromkeys(names, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        command = text[text.index("(") + 1:text.rindex(")")]
        if command in used:
            used[command] += cpu_seconds(int(stat.parent.name))
    return used


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@asynccontextmanager
async def scratch(prefix: str = "bench"):
    """A fresh database (migrated) and broker namespace; both removed afterwards."""
    base = Settings()
    run = uuid.uuid4().hex[:8]
    name = f"hotline_{prefix}_{run}"
    parts = urlsplit(base.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = base.database_url.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(upgrade_all, url)
    settings = base.model_copy(update={"database_url": url, "broker_namespace": f"{prefix}.{run}."})
    try:
        yield settings
    finally:
        await remove_broker_names(settings)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def remove_broker_names(settings: Settings, extra_queues=()) -> None:
    """Delete the queues and exchanges the services declared in this namespace."""
    import importlib

    import aio_pika

    from services.cli import _services
    from services.core import broker

    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    for name in _services():
        for spec in getattr(importlib.import_module(f"services.{name}.app"), "queue_specs", lambda _: [])(settings):
            await broker.delete_queue(channel, spec)
    for queue in extra_queues:
        await channel.queue_delete(queue)
    await broker.delete_exchanges(channel, settings.broker_namespace)
    await connection.close()


def cli(settings: Settings, env: dict, *args: str) -> None:
    """`python -m services.cli ...` against a run's own database and broker namespace."""
    full = {**os.environ, "DATABASE_URL": settings.database_url, "AMQP_URL": settings.amqp_url,
            "BROKER_NAMESPACE": settings.broker_namespace, "LOG_LEVEL": "WARNING", **env}
    subprocess.run([sys.executable, "-m", "services.cli", *args], env=full, check=True,
                   stdout=subprocess.DEVNULL)


def start_service(service: str, settings: Settings, port: int, extra_env: dict | None = None,
                  *, nice: int = 0, log_dir: Path | None = None):
    """Run one service as its own process, the way production does (`nice`: lower CPU weight;
    `log_dir`: its output in `<service>.log` there instead of the caller's)."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "AMQP_URL": settings.amqp_url,
           "BROKER_NAMESPACE": settings.broker_namespace, "LOG_LEVEL": "WARNING",
           **(extra_env or {})}
    output = open(log_dir / f"{service}.log", "ab") if log_dir else None
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", service, "--port", str(port)], env=env,
        preexec_fn=(lambda: os.nice(nice)) if nice else None, stdout=output,
        stderr=subprocess.STDOUT if output else None)
    if output:
        output.close()  # the child has its own copy
    return process


async def wait_ready(port: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"service on port {port} did not become ready")


@asynccontextmanager
async def services_running(settings: Settings, ports: dict[str, int], env: dict,
                           ready_timeout: float = 90.0, log_dir: Path | None = None):
    """Each named service as its own process on its port; stopped (and waited for) afterwards."""
    processes = [start_service(name, settings, port, env, log_dir=log_dir)
                 for name, port in ports.items()]
    try:
        await asyncio.gather(*(wait_ready(port, timeout=ready_timeout) for port in ports.values()))
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
