"""Department queues: a unit's own system reads `dept.<unit>` for its tickets and SLA alerts."""

import re

import aio_pika
import structlog
from sqlalchemy.exc import SQLAlchemyError

from services.core.broker import QueueSpec, declare_queue
from services.core.db import Database
from services.core.settings import Settings
from services.routing.directory_store import get_unit

log = structlog.get_logger()
UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")


class UnknownUnit(ValueError):
    """The unit code is malformed or not in the directory."""


def dept_queue_spec(settings: Settings, unit_code: str) -> QueueSpec:
    """`dept.<unit>` bound to `ticket.assigned.<unit>` and `sla.*.<unit>`; failures go to `.dead`."""
    return QueueSpec(settings.broker_name(f"dept.{unit_code}"),
                     (f"ticket.assigned.{unit_code}", f"sla.*.{unit_code}"), retry_delays_ms=())


async def _known(settings: Settings, unit_code: str) -> bool | None:
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await get_unit(session, unit_code) is not None
    except (OSError, SQLAlchemyError) as exc:  # no database here: the queue can still be made
        log.warning("dept_queue.directory_unreachable", error=str(exc))
        return None
    finally:
        await db.dispose()


async def declare_dept_queue(settings: Settings, unit_code: str, *,
                             check_unit: bool = True) -> QueueSpec:
    """Declare a unit's durable quorum queue and its bindings (idempotent)."""
    if not UNIT_CODE.match(unit_code):
        raise UnknownUnit(f"invalid unit code {unit_code!r}")
    if check_unit and await _known(settings, unit_code) is False:
        raise UnknownUnit(f"unit {unit_code} is not in the directory")
    spec = dept_queue_spec(settings, unit_code)
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel()
        await declare_queue(channel, spec, settings.broker_namespace)
    finally:
        await connection.close()
    return spec
