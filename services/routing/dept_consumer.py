"""Example department consumer: prints what a unit's own system receives on `dept.<unit>`.

    python -m services.routing.dept_consumer 532622-police [--limit N]

Each message is the platform's JSON envelope (docs/events.md). A department system would
create its own work item from `ticket.assigned` and raise alarms on `sla.warning` and
`sla.overdue`; acknowledge only after that is stored, so nothing is lost on a crash.
"""

import argparse
import asyncio
from collections.abc import Callable

import aio_pika
import orjson

from services.core.settings import Settings, get_settings
from services.routing.departments import declare_dept_queue

ROLES = {"lead": "牵头", "responsible": "责任", "cooperating": "配合", "dispatch": "待派"}
CLOCKS = {"response": "响应", "completion": "办结"}


def describe(envelope: dict) -> str:
    """One line a person at the department would understand."""
    data, kind = envelope.get("data", {}), envelope.get("type", "")
    if kind == "ticket.assigned":
        return (f"新工单 {data['number']}：{data['unit_name']}（{ROLES.get(data['role'], data['role'])}）"
                f" 分类 {data.get('category') or '未分类'} 紧急程度 {data['urgency']}"
                f" 时限类别 {data['sla_class']} 来由 {data['reason']}")
    if kind in ("sla.warning", "sla.overdue"):
        label = "即将超时" if kind == "sla.warning" else "已超时"
        clock = CLOCKS.get(data.get("clock"), data.get("clock"))
        return f"{label} {data['number']}：{clock}时限 {data.get('deadline')}"
    return f"{kind} {data.get('number', '')}"


async def consume(settings: Settings, unit_code: str, *, show: Callable[[str], object] = print,
                  limit: int | None = None) -> int:
    """Print and acknowledge messages of the unit's queue; returns how many after `limit`."""
    spec = await declare_dept_queue(settings, unit_code, check_unit=False)
    connection = await aio_pika.connect_robust(settings.amqp_url)
    seen = 0
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=10)
        queue = await channel.get_queue(spec.name)
        async with queue.iterator() as messages:
            async for message in messages:
                # A failure rejects the message into dept.<unit>.dead instead of looping.
                async with message.process(requeue=False):
                    envelope = orjson.loads(message.body)
                    show(describe(envelope))
                    show(orjson.dumps(envelope, option=orjson.OPT_INDENT_2).decode())
                seen += 1
                if limit is not None and seen >= limit:
                    break
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("unit", help="unit code, e.g. 532622-police")
    parser.add_argument("--limit", type=int, default=None, help="stop after N messages")
    args = parser.parse_args()
    try:
        asyncio.run(consume(get_settings(), args.unit, limit=args.limit))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
