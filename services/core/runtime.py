"""What a service process runs beside HTTP: broker link, outbox relay, consumers, loops."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection

from services.core.aio import cancel_all, stopping
from services.core.broker import EVENTS, QueueSpec, declare_exchanges, declare_queue
from services.core.consumer import Consumer
from services.core.db import Database
from services.core.outbox import Outbox, OutboxRelay
from services.core.settings import Settings

log = structlog.get_logger()
OUTBOX_PURGE_SECONDS = 3600.0


class Broker:
    """One robust connection per process; channels are made once and kept."""

    def __init__(self, url: str, namespace: str = ""):
        self.url = url
        self.namespace = namespace
        self.connection: AbstractRobustConnection | None = None
        self._publisher = None
        self._lock = asyncio.Lock()

    async def connect(self) -> AbstractRobustConnection:
        """Connect once; later drops are healed by aio-pika's robust connection."""
        async with self._lock:
            if self.connection is None or self.connection.is_closed:
                self.connection = await aio_pika.connect_robust(self.url, timeout=5)
                channel = await self.connection.channel()
                await declare_exchanges(channel, self.namespace)
                await channel.close()
            return self.connection

    async def publisher(self):
        """A channel with publisher confirms, for the outbox relay."""
        connection = await self.connect()
        if self._publisher is None or self._publisher.is_closed:
            self._publisher = await connection.channel(publisher_confirms=True)
        return self._publisher

    async def ping(self) -> None:
        connection = await self.connect()
        if connection.is_closed:
            raise ConnectionError("broker connection closed")

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


@dataclass
class Worker:
    """A service's background work, started in the lifespan and cancelled at shutdown."""

    settings: Settings
    db: Database
    broker: Broker
    outbox: Outbox | None = None
    consumers: list[tuple[QueueSpec, Consumer]] = field(default_factory=list)
    loops: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)

    def start(self) -> None:
        """Spawn the relay, the consumers and the periodic loops."""
        if self.outbox is not None:
            relay = OutboxRelay(
                self.db, self.outbox, self.broker.namespace + EVENTS,
                batch=self.settings.outbox_batch, poll_seconds=self.settings.outbox_poll_seconds,
            )
            self.tasks.append(asyncio.create_task(relay.run(self.broker.publisher)))
            # Published rows are kept a day for inspection, then go, so the table stays small.
            self.tasks.append(asyncio.create_task(
                every(OUTBOX_PURGE_SECONDS, relay.purge_published, "outbox.purge")))
        for spec, consumer in self.consumers:
            self.tasks.append(asyncio.create_task(self._consume(spec, consumer)))
        for loop in self.loops:
            self.tasks.append(asyncio.create_task(loop()))

    async def _consume(self, spec: QueueSpec, consumer: Consumer) -> None:
        while True:
            try:
                connection = await self.broker.connect()
                channel = await connection.channel()
                await channel.set_qos(prefetch_count=self.settings.prefetch)
                queue = await declare_queue(channel, spec, self.broker.namespace)
                await consumer.start(channel, queue, self.broker.namespace)
                log.info("consumer.started", queue=spec.name)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker not up yet: keep trying, HTTP keeps serving
                if stopping():
                    raise
                log.warning("consumer.waiting_for_broker", queue=spec.name, error=str(exc))
                await asyncio.sleep(2.0)

    async def stop(self) -> None:
        """Stop every loop; one that will not stop is named in the log, not waited for."""
        stuck = await cancel_all(self.tasks)
        for _, consumer in self.consumers:
            stuck += await consumer.stop()
        for task in stuck:
            log.error("worker.task_did_not_stop", task=task.get_coro().__qualname__)
        self.tasks.clear()
        for close in self.closers:
            await close()


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `job` forever at a fixed interval; a failure is logged and the loop goes on."""
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            if stopping():
                raise
            log.exception("loop.failed", loop=name)
        await asyncio.sleep(seconds)
