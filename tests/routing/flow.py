"""Helpers that play the other side: channels submitting, intake's events, staff tokens."""

import random
import uuid

import aio_pika
import orjson

from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from services.core.testing import Tap

API_KEY = "routing-test-channel-key-0123456789"
CHANNEL = {"X-Api-Key": API_KEY}
_random = random.Random()


def phone() -> str:
    return f"137{_random.randrange(10**8):08d}"


def place() -> dict:
    """A point in 砚山县 far enough from any other test's tickets."""
    return {"lat": round(_random.uniform(23.2, 23.9), 6), "lng": round(_random.uniform(103.8, 104.6), 6)}


def ticket_body(content: str, *, category: str | None = None, region: str = "532622",
                town: str | None = "532622100", caller: str | None = None,
                at: tuple[float, float] | None = None, **overrides) -> dict:
    point = {"lat": at[0], "lng": at[1]} if at else place()
    body = {
        "channel": "hotline", "type": "complaint", "urgency": "normal", "content": content,
        "category": category,
        "location": {"region_code": region, "town_code": town, "address": "测试地址", **point},
        "contact": {"name": "王先生", "phone": caller or phone()}, "anonymous": False,
        "public": False,
    }
    return {**body, **overrides}


async def submit(intake, content: str, **options) -> dict:
    """Submit a ticket through intake as the hotline system does; its id and number."""
    response = await intake.post("/v1/tickets", json=ticket_body(content, **options), headers=CHANNEL)
    assert response.status_code == 201, response.text
    return response.json()


def bearer(settings, role: Role, *, unit: str | None = None, region: str | None = None,
           subject: str | None = None) -> dict:
    principal = Principal(subject or f"{role.value}-{unit or region}", role, unit, region)
    return {"Authorization": f"Bearer {issue_token(principal, settings.jwt_secret, 600)}"}


def assigned(number: str, unit: str | None = None):
    """A tap predicate: `ticket.assigned` of this ticket (to this unit)."""
    return lambda m: (m["type"] == "ticket.assigned" and m["data"]["number"] == number
                      and (unit is None or m["data"]["unit_code"] == unit))


async def publish(settings, event, ticket_id=None, *, envelope=None) -> dict:
    """Publish an event (or a given envelope) on this run's exchange, as intake's relay would."""
    body = envelope or event.envelope(producer="intake", ticket_id=ticket_id).model_dump(mode="json")
    key = event.routing_key() if event is not None else body["type"]
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(settings.broker_name("hotline.events"))
    await exchange.publish(aio_pika.Message(orjson.dumps(body), message_id=str(body["id"])),
                           routing_key=key)
    await connection.close()
    return body


async def until_consuming(settings, queue_name: str) -> None:
    """Wait until a consumer is attached to the queue, so no event is published before it."""
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

    assert await wait_until(consuming, timeout=20), f"nobody consumes {queue_name}"
    await connection.close()


def uid() -> str:
    return uuid.uuid4().hex[:8]


class PatientTap(Tap):
    """core's Tap, but a broker slow to answer one poll under load is not a failure."""

    async def _pull(self, timeout: float) -> None:
        try:
            await super()._pull(timeout)
        except TimeoutError:  # basic_get's own RPC deadline passed; poll again
            pass
