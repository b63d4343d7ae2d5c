"""The running app: events arrive over the broker, as routing and intake publish them."""

import aio_pika
import orjson

from services.core.broker import declare_exchanges
from services.core.consumer import wait_until
from tests.sla.flow import Ticket, at, unit_code


async def deliver(settings, envelope, routing_key: str, seen) -> bool:
    """Publish the same envelope until its effect shows (the consumer may still be starting).

    Every message after the first is a redelivery, which must have no second effect.
    """
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange, _ = await declare_exchanges(channel, settings.broker_namespace)
    body = orjson.dumps(envelope.model_dump(mode="json"))

    async def published_and_seen() -> bool:
        await exchange.publish(aio_pika.Message(body, message_id=str(envelope.id)), routing_key)
        return await wait_until(seen, timeout=0.5)

    try:
        return await wait_until(published_and_seen, timeout=15)
    finally:
        await connection.close()


async def test_clocks_start_and_stop_from_broker_events(sla, sla_settings):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    assigned = ticket.envelope(
        "ticket.assigned", at(2026, 11, 2, 10), unit_code=unit, unit_name="江那镇", role="lead",
        assignment_id="a1", category="municipal.noise", urgency="normal", sla_class="normal",
        ticket_type="complaint", region_code="532622", reason="auto", suggestions=[])

    async def started() -> bool:
        return len(await ticket.clocks()) == 2

    assert await deliver(sla_settings, assigned, f"ticket.assigned.{unit}", started)
    signed = ticket.envelope("ticket.signed", at(2026, 11, 2, 11), unit_code=unit)

    async def met() -> bool:
        return (await ticket.clock(unit, "response"))["state"] == "met"

    assert await deliver(sla_settings, signed, "ticket.signed", met)
    assert len(await ticket.clocks()) == 2
