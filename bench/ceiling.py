"""This machine's raw ceiling: the least work a ticket needs, with no framework around it.

Per ticket: one PostgreSQL insert, one confirmed persistent publish to a quorum queue,
one consumer insert and ack. Our end-to-end rate is reported as a fraction of this.
"""

import asyncio
import time
import uuid

import aio_pika
import asyncpg
import orjson

from services.core.settings import Settings

PRODUCERS = 64


async def _setup(url: str, amqp_url: str, queue_name: str):
    pool = await asyncpg.create_pool(url, min_size=8, max_size=32)
    await pool.execute("CREATE TABLE IF NOT EXISTS public.ceiling_in (id uuid PRIMARY KEY, body jsonb)")
    await pool.execute("CREATE TABLE IF NOT EXISTS public.ceiling_out (id uuid PRIMARY KEY)")
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
    return pool, connection, channel, queue


async def measure(settings: Settings, n: int) -> float:
    """Tickets per second through the minimal pipeline."""
    url = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
    queue_name = settings.broker_name(f"ceiling.{uuid.uuid4().hex[:6]}")
    pool, connection, channel, queue = await _setup(url, settings.amqp_url, queue_name)
    consumed, done = 0, asyncio.Event()
    consumer_channel = await connection.channel()
    await consumer_channel.set_qos(prefetch_count=256)
    consumer_queue = await consumer_channel.get_queue(queue_name)

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal consumed
        await pool.execute("INSERT INTO public.ceiling_out (id) VALUES ($1)", uuid.UUID(message.message_id))
        await message.ack()
        consumed += 1
        if consumed == n:
            done.set()

    consumer_tag = await consumer_queue.consume(on_message)
    ids = iter(range(n))

    async def producer() -> None:
        for _ in ids:
            ticket_id = uuid.uuid4()
            body = orjson.dumps({"id": str(ticket_id), "content": "江那镇振兴街夜间烧烤摊油烟扰民"})
            await pool.execute("INSERT INTO public.ceiling_in (id, body) VALUES ($1, $2)", ticket_id, body.decode())
            await channel.default_exchange.publish(
                aio_pika.Message(body, message_id=str(ticket_id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue_name)

    started = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(PRODUCERS)))
    await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - started
    await consumer_queue.cancel(consumer_tag)
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()
    await pool.execute("DROP TABLE public.ceiling_in; DROP TABLE public.ceiling_out")
    await pool.close()
    return n / elapsed


if __name__ == "__main__":
    from bench.common import scratch

    async def main() -> None:
        async with scratch("ceiling") as settings:
            print(f"ceiling_tickets_per_s {await measure(settings, 5000):.1f}")

    asyncio.run(main())
