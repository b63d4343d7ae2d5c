"""The platform's command line: migrate, seed, serve, and the local Procfile."""

import asyncio
import importlib
import importlib.util
import socket
from urllib.parse import urlsplit

import asyncpg
import typer

from services.core.db import Database
from services.core.migrate import available, upgrade_all
from services.core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="12345 / 接诉即办 platform tools")
PORTS = {"intake": 8001, "routing": 8002, "sla": 8003, "notify": 8004, "media": 8005,
         "console": 8000}


def _services() -> list[str]:
    return [name for name in PORTS if importlib.util.find_spec(f"services.{name}.app")]


async def _create_database(url: str) -> None:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
        typer.echo(f"created database {name}")
    await admin.close()


@app.command()
def migrate(broker: bool = typer.Option(True, help="also declare the broker topology")) -> None:
    """Create the database if missing, migrate every service schema, declare every queue."""
    url = get_settings().database_url
    asyncio.run(_create_database(url))
    upgrade_all(url)
    typer.echo(f"migrated: {', '.join(available())}")
    if broker:
        topology()


@app.command()
def topology() -> None:
    """Declare every service's queues and bindings, so no event is published before its queue exists."""
    from services.core.broker import declare_queue
    from services.core.runtime import Broker

    settings = get_settings()

    async def run() -> list[str]:
        broker = Broker(settings.amqp_url, settings.broker_namespace)
        channel = await (await broker.connect()).channel()
        names = []
        for name in _services():
            module = importlib.import_module(f"services.{name}.app")
            for spec in getattr(module, "queue_specs", lambda _: [])(settings):
                await declare_queue(channel, spec, settings.broker_namespace)
                names.append(spec.name)
        await broker.close()
        return names

    typer.echo(f"declared: {', '.join(asyncio.run(run()))}")


@app.command()
def seed() -> None:
    """Load the demo data of every service (never in production)."""
    settings = get_settings()

    async def run() -> list[dict]:
        db = Database(settings.database_url, pool_size=2)
        results = []
        for name in _services():
            if importlib.util.find_spec(f"services.{name}.seed"):
                module = importlib.import_module(f"services.{name}.seed")
                async with db.transaction() as session:
                    results.append({"service": name, **(await module.seed(session, settings) or {})})
        await db.dispose()
        return results

    for result in asyncio.run(run()):
        typer.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@app.command()
def serve(service: str, port: int = typer.Option(0, help="default: the service's own port")) -> None:
    """Run one service (HTTP API, consumers and loops in one process)."""
    import os

    import uvicorn

    os.environ["PORT"] = str(port or PORTS[service])
    # Behind the gateway each API lives under /api/<service>: docs must link there.
    uvicorn.run(f"services.{service}.app:create_app", factory=True, host="0.0.0.0",
                port=int(os.environ["PORT"]), loop="uvloop", access_log=False, log_config=None,
                root_path=os.environ.get("ROOT_PATH", ""),
                # Within compose's stop_grace_period (30 s): requests still open are cut.
                timeout_graceful_shutdown=20)


def _s3_reachable(endpoint: str) -> bool:
    host, _, port = endpoint.partition(":")
    try:
        socket.create_connection((host, int(port or 80)), timeout=1).close()
        return True
    except OSError:
        return False


@app.command()
def procfile() -> None:
    """Print the Procfile for `make run`: every service, and S3 when none answers."""
    settings = get_settings()
    if "media" in _services() and not _s3_reachable(settings.s3_endpoint):
        port = settings.s3_endpoint.partition(":")[2] or "9000"
        typer.echo(f"s3: python -m services.media.s3server --dir var/s3 --port {port}")
    for name in _services():
        typer.echo(f"{name}: python -m services.cli serve {name} --port {PORTS[name]}")


@app.command("dead-letters")
def dead_letters_command(service: str,
                         replay: bool = typer.Option(False, help="send them back to their queue"),
                         event_id: list[str] = typer.Option(None, help="only these events")) -> None:
    """List a service's dead letters, or replay them once their cause is fixed."""
    from services.core import dead_letters
    from services.core.runtime import Broker

    settings = get_settings()
    specs = getattr(importlib.import_module(f"services.{service}.app"), "queue_specs", lambda _: [])(settings)

    async def run() -> list:
        broker = Broker(settings.amqp_url, settings.broker_namespace)
        channel = await (await broker.connect()).channel()
        found = []
        for spec in specs:
            if replay:
                found += await dead_letters.replay(channel, spec, set(event_id) if event_id else None)
            else:
                found += await dead_letters.listed(channel, spec)
        await broker.close()
        return found

    for line in asyncio.run(run()):
        typer.echo(f"replayed {line}" if replay else
                   f"{line['queue']}  {line['event_id']}  {line['type']}  attempts={line['attempts']}")


@app.command()
def supervise(procfile: str = typer.Argument(..., help="a Procfile: `name: command` lines")) -> None:
    """Run every process of a Procfile; restart one that dies (with backoff), keep the rest."""
    from pathlib import Path

    from services.core.supervisor import read_procfile
    from services.core.supervisor import supervise as run_all

    asyncio.run(run_all(read_procfile(Path(procfile).read_text())))


@app.command()
def banner() -> None:
    """Where the console, each API and its docs are, and who can log in."""
    for name in _services():
        if name == "console":
            continue
        typer.echo(f"  {name:8} http://127.0.0.1:{PORTS[name]}/v1   docs: http://127.0.0.1:{PORTS[name]}/docs")
    typer.echo(f"  console  http://127.0.0.1:{PORTS['console']}/   (staff console, 工作平台)")
    typer.echo(f"  h5       http://127.0.0.1:{PORTS['console']}/m/ (citizen pages, 市民端：我要反映、我的诉求)")
    typer.echo("  demo logins (password: DEV_PASSWORD, or the one `make seed` printed):")
    typer.echo("    center-532622 指挥中心  agent-532622 话务员  supervisor-532622 督查室  admin")
    typer.echo("    handler-532622100 / leader-532622100 江那镇  handler-532622-police 公安局")


def _register_service_commands() -> None:
    """Each service may add commands in `services/<name>/commands.py` (a `register(app)`)."""
    for name in PORTS:
        if importlib.util.find_spec(f"services.{name}.commands"):
            importlib.import_module(f"services.{name}.commands").register(app)


_register_service_commands()

if __name__ == "__main__":
    app()
