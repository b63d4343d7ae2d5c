"""The sla service: working-day deadlines, warnings before a breach, overdue, the three rates."""

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from services.core.broker import QueueSpec
from services.core.consumer import Consumer
from services.core.http import create_service_app
from services.core.runtime import Worker, every
from services.core.settings import Settings, get_settings
from services.sla.api import router
from services.sla.events import OUTBOX
from services.sla.handlers import BINDINGS, HANDLERS
from services.sla.models import processed
from services.sla.reports_api import router as reports_router
from services.sla.scheduler import Scheduler, utc_now

TICK_SECONDS = 5.0


def queue_specs(settings: Settings) -> list[QueueSpec]:
    """Sla's queue: the ticket events that drive clocks, and the names reports print."""
    return [QueueSpec(settings.broker_name("sla"), BINDINGS)]


def create_app(settings: Settings | None = None, *, now: Callable[[], datetime] = utc_now,
               tick_seconds: float = TICK_SECONDS) -> FastAPI:
    """The sla ASGI app; `now` is the clock its scheduler and views read (tests inject one)."""
    settings = settings or get_settings()

    async def setup(app: FastAPI, worker: Worker) -> None:
        app.state.now = now
        app.state.outbox = worker.outbox = OUTBOX
        [spec] = queue_specs(settings)
        app.state.consumer = Consumer(worker.db, spec, HANDLERS, processed)
        worker.consumers.append((spec, app.state.consumer))
        app.state.scheduler = Scheduler(worker.db, worker.outbox, now=now)
        worker.loops.append(lambda: every(tick_seconds, app.state.scheduler.tick, "sla.scheduler"))

    return create_service_app(name="sla", settings=settings, routers=[router, reports_router],
                              setup=setup)
