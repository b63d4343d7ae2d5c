"""Dead letters, seen and sent back: what a consumer gave up on waits in `<queue>.dead`.

Operators list them (`GET /v1/dead-letters`, `python -m services.cli dead-letters SERVICE`)
and, once the cause is fixed, replay them into the queue they came from, where the
consumer's processed-event mark keeps a replay from having a second effect.
"""

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.core.auth import Role, require
from services.core.broker import QueueSpec
from services.core.deps import CallerDep

MAX_LISTED = 200


def describe(message: AbstractIncomingMessage) -> dict:
    """What an operator needs to decide: the event's id, type, ticket and when it happened."""
    try:
        envelope = orjson.loads(message.body)
    except orjson.JSONDecodeError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    return {"event_id": envelope.get("id") or message.message_id, "type": envelope.get("type"),
            "ticket_id": envelope.get("ticket_id"), "occurred_at": envelope.get("occurred_at"),
            "attempts": (message.headers or {}).get("x-attempt"), "readable": bool(envelope)}


async def _take(channel: AbstractChannel, spec: QueueSpec, limit: int) -> list[AbstractIncomingMessage]:
    # Declared as broker.declare_queue does (a no-op when it exists): a service that has not
    # declared its queues yet simply has no dead letters.
    dead = await channel.declare_queue(spec.dead_queue, durable=True,
                                       arguments={"x-queue-type": "quorum"})
    taken = []
    while len(taken) < limit:
        message = await dead.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


async def listed(channel: AbstractChannel, spec: QueueSpec, limit: int = MAX_LISTED) -> list[dict]:
    """The dead letters of a queue, oldest first; they stay where they are."""
    taken = await _take(channel, spec, limit)
    for message in taken:
        await message.nack(requeue=True)
    return [{"queue": spec.name, **describe(m)} for m in taken]


async def replay(channel: AbstractChannel, spec: QueueSpec, event_ids: set[str] | None = None,
                 limit: int = MAX_LISTED) -> list[str]:
    """Send dead letters (all, or those events) back to their queue, with fresh retries."""
    taken = await _take(channel, spec, limit)
    replayed = []
    for message in taken:
        event_id = str(describe(message)["event_id"])
        if event_ids is not None and event_id not in event_ids:
            await message.nack(requeue=True)
            continue
        headers = {k: v for k, v in (message.headers or {}).items() if k != "x-attempt"}
        await channel.default_exchange.publish(aio_pika.Message(
            body=message.body, headers=headers, content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=message.message_id,
            type=message.type), routing_key=spec.name)
        await message.ack()
        replayed.append(event_id)
    return replayed


router = APIRouter(prefix="/v1", tags=["ops"])


class ReplayIn(BaseModel):
    event_ids: list[str] | None = Field(None, max_length=MAX_LISTED,
                                        description="只重放这些事件；不填则重放全部")


async def _each_queue(request: Request, work) -> list:
    """Run `work(channel, spec)` for each queue this service consumes, on a channel of its own
    (closed afterwards, so whatever it left unacked goes back at once)."""
    found = []
    channel = await (await request.app.state.broker.connect()).channel()
    try:
        for spec, _ in request.app.state.worker.consumers:
            found += await work(channel, spec)
    finally:
        await channel.close()
    return found


@router.get("/dead-letters")
async def dead_letters(request: Request, principal: CallerDep) -> list[dict]:
    """Events this service gave up on after its retries, oldest first (admins)."""
    require(principal, Role.admin)
    return await _each_queue(request, listed)


@router.post("/dead-letters/replay")
async def replay_dead_letters(body: ReplayIn, request: Request, principal: CallerDep) -> dict:
    """Send dead letters back to their queue once their cause is fixed (admins)."""
    require(principal, Role.admin)
    wanted = set(body.event_ids) if body.event_ids is not None else None
    replayed = await _each_queue(request, lambda channel, spec: replay(channel, spec, wanted))
    return {"replayed": replayed}
