"""pytest fixtures for every service: a database and broker namespace of this run's own."""

import asyncio
import os
import socket
import uuid
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import httpx
import orjson
import pytest

from services.core import broker as topology
from services.core.migrate import upgrade_all
from services.core.settings import Settings

RUN_ID = uuid.uuid4().hex[:10]


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def _docker_engine() -> bool:
    return os.path.exists("/var/run/docker.sock") or bool(os.environ.get("DOCKER_HOST"))


def _servers() -> tuple[str, str, list]:
    """The admin database URL and AMQP URL to test against, starting containers if need be."""
    base = Settings()
    db_url, amqp_url, containers = base.database_url, base.amqp_url, []
    db, amqp = urlsplit(db_url), urlsplit(amqp_url)
    db_up = _reachable(db.hostname, db.port or 5432)
    amqp_up = _reachable(amqp.hostname, amqp.port or 5672)
    if (db_up and amqp_up) or not _docker_engine():
        if not (db_up and amqp_up):
            missing = [f"PostgreSQL at {db.hostname}:{db.port}" for _ in [0] if not db_up]
            missing += [f"RabbitMQ at {amqp.hostname}:{amqp.port}" for _ in [0] if not amqp_up]
            pytest.exit(
                f"Cannot reach {' and '.join(missing)}, and no Docker engine to start them. "
                "Start them (pg_ctlcluster ... main start; rabbitmq-server -detached) or set "
                "DATABASE_URL / AMQP_URL.", returncode=3)
        return db_url, amqp_url, containers
    return _containers(db_up, amqp_up, db_url, amqp_url)


def _containers(db_up, amqp_up, db_url, amqp_url):
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    started = []
    if not db_up:
        pg = PostgresContainer("postgres:16", driver="asyncpg").start()
        started.append(pg)
        db_url = pg.get_connection_url()
    if not amqp_up:
        mq = RabbitMqContainer("rabbitmq:3.13").start()
        started.append(mq)
        amqp_url = f"amqp://guest:guest@{mq.get_container_host_ip()}:{mq.get_exposed_port(5672)}/"
    return db_url, amqp_url, started


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
async def settings():
    """Settings pointing at a fresh database and broker namespace, removed afterwards."""
    admin_url, amqp_url, containers = _servers()
    name = f"hotline_test_{RUN_ID}"
    admin = await asyncpg.connect(_plain(_with_database(admin_url, "postgres")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(admin_url, name)
    await asyncio.to_thread(upgrade_all, url)
    namespace = f"test.{RUN_ID}."
    yield Settings(database_url=url, amqp_url=amqp_url, broker_namespace=namespace,
                   outbox_poll_seconds=0.2, log_level="WARNING", dev_password="test-pass",
                   db_pool_size=4)
    await _remove_broker_names(amqp_url, namespace)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()
    for container in containers:
        container.stop()


async def _remove_broker_names(amqp_url: str, namespace: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    for name in sorted(n for n in topology.DECLARED if n.startswith(namespace)):
        await topology.delete_queue(channel, topology.QueueSpec(name, ()))
    await topology.delete_exchanges(channel, namespace)
    await connection.close()


async def declare_queues(settings: Settings, specs) -> None:
    """Declare a service's queues before it runs, as `services.cli topology` does before
    `make run`: what is published meanwhile waits for it instead of going nowhere."""
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    for spec in specs:
        await topology.declare_queue(channel, spec, settings.broker_namespace)
    await connection.close()


@asynccontextmanager
async def running(app):
    """Run an app's lifespan (engine, relay, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


class Tap:
    """A queue of the test's own bound to the events exchange: what really went out."""

    def __init__(self, queue):
        self.queue = queue
        self.seen: list[dict] = []

    async def collect(self, predicate, *, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Wait until `count` messages match, then also drain briefly to catch duplicates."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len([m for m in self.seen if predicate(m)]) < count and loop.time() < deadline:
            await self._pull(min(0.2, max(deadline - loop.time(), 0.01)))
        return [m for m in self.seen if predicate(m)]

    async def drain(self, seconds: float = 0.5) -> None:
        """Take whatever arrives within `seconds` (to prove nothing more comes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            await self._pull(deadline - loop.time())

    async def _pull(self, timeout: float) -> None:
        try:
            message = await self.queue.get(timeout=max(timeout, 0.01), fail=True)
        except (aio_pika.exceptions.QueueEmpty, TimeoutError):  # a loaded broker answers late
            await asyncio.sleep(min(timeout, 0.05))
            return
        body = orjson.loads(message.body)
        body["_routing_key"] = message.routing_key
        self.seen.append(body)
        await message.ack()


@asynccontextmanager
async def tap(settings: Settings, binding: str = "#"):
    """A temporary queue that sees every event of this run's namespace."""
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    events, _ = await topology.declare_exchanges(channel, settings.broker_namespace)
    queue = await channel.declare_queue(f"{settings.broker_namespace}tap.{uuid.uuid4().hex[:8]}",
                                        exclusive=True, auto_delete=True)
    await queue.bind(events, routing_key=binding)
    try:
        yield Tap(queue)
    finally:
        await connection.close()


async def publish(settings: Settings, event, ticket_id=None, *, envelope: dict | None = None,
                  producer: str = "test") -> dict:
    """Publish an event (or a ready envelope) on this run's exchange, as a producer's relay would."""
    body = envelope or event.envelope(producer=producer, ticket_id=ticket_id).model_dump(mode="json")
    key = event.routing_key() if event is not None else body["type"]
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
    await exchange.publish(aio_pika.Message(orjson.dumps(body), message_id=str(body["id"])),
                           routing_key=key)
    await connection.close()
    return body


async def until_consuming(settings: Settings, queue_name: str) -> None:
    """Wait until a consumer is attached to the queue, so no event is published before it."""
    from services.core.consumer import wait_until

    connection = await aio_pika.connect(settings.amqp_url)

    async def consuming() -> bool:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(queue_name, passive=True)
            return queue.declaration_result.consumer_count > 0
        except aio_pika.exceptions.ChannelClosed:
            return False
        finally:
            if not channel.is_closed:
                await channel.close()

    try:
        assert await wait_until(consuming, timeout=20), f"nobody consumes {queue_name}"
    finally:
        await connection.close()
