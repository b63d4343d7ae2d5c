"""Broker topology, declared in this one module: exchanges, quorum queues, retries, dead letters."""

from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractQueue

EVENTS = "hotline.events"
DLX = "hotline.dlx"
# The first retry comes quickly: most failures are an event that overtook the one it needs.
RETRY_DELAYS_MS = (250, 1_000, 5_000, 30_000, 120_000)
# Queues this process declared, so tests and tools can remove what they made.
DECLARED: set[str] = set()


@dataclass(frozen=True)
class QueueSpec:
    """A consuming service's queue and the routing keys bound to it."""

    name: str
    bindings: tuple[str, ...]
    retry_delays_ms: tuple[int, ...] = field(default=RETRY_DELAYS_MS)

    def retry_queue(self, attempt: int) -> str:
        return f"{self.name}.retry.{attempt}"

    @property
    def dead_queue(self) -> str:
        return f"{self.name}.dead"


async def declare_exchanges(channel: AbstractChannel, namespace: str = ""):
    """The durable topic exchange for events and the dead-letter exchange."""
    events = await channel.declare_exchange(
        namespace + EVENTS, aio_pika.ExchangeType.TOPIC, durable=True
    )
    dlx = await channel.declare_exchange(namespace + DLX, aio_pika.ExchangeType.DIRECT, durable=True)
    return events, dlx


async def declare_queue(channel: AbstractChannel, spec: QueueSpec, namespace: str = "") -> AbstractQueue:
    """A durable quorum queue with its retry ladder and its `<queue>.dead`."""
    events, dlx = await declare_exchanges(channel, namespace)
    queue = await channel.declare_queue(
        spec.name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": namespace + DLX,
            "x-dead-letter-routing-key": spec.name,
        },
    )
    DECLARED.add(spec.name)
    for key in spec.bindings:
        await queue.bind(events, routing_key=key)
    dead = await channel.declare_queue(
        spec.dead_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead.bind(dlx, routing_key=spec.name)
    for attempt, delay in enumerate(spec.retry_delays_ms, start=1):
        # A waiting room: when the TTL ends the message goes back to the main queue.
        await channel.declare_queue(
            spec.retry_queue(attempt),
            durable=True,
            arguments={
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": spec.name,
            },
        )
    return queue


async def delete_queue(channel: AbstractChannel, spec: QueueSpec) -> None:
    """Remove a queue and everything declared beside it (tests and tools)."""
    for attempt in range(1, len(spec.retry_delays_ms) + 1):
        await channel.queue_delete(spec.retry_queue(attempt))
    await channel.queue_delete(spec.dead_queue)
    await channel.queue_delete(spec.name)


async def delete_exchanges(channel: AbstractChannel, namespace: str) -> None:
    """Remove a namespace's exchanges (tests)."""
    await channel.exchange_delete(namespace + EVENTS)
    await channel.exchange_delete(namespace + DLX)
