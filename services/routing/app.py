"""The routing service: classifies, assigns, transfers and returns tickets, flags duplicates."""

import asyncio

from fastapi import FastAPI

from services.core.broker import QueueSpec
from services.core.consumer import Consumer
from services.core.http import create_service_app
from services.core.runtime import Worker
from services.core.settings import Settings, get_settings
from services.routing import classifier
from services.routing.admin_api import router as admin_router
from services.routing.api import router
from services.routing.events import OUTBOX
from services.routing.handlers import HANDLERS
from services.routing.knowledge_api import router as knowledge_router
from services.routing.models import processed
from services.routing.public_api import router as public_router

QUEUE = "routing.tickets"


def queue_specs(settings: Settings) -> list[QueueSpec]:
    """Routing's queue: the ticket events it decides on."""
    return [QueueSpec(settings.broker_name(QUEUE), tuple(HANDLERS))]


async def setup(app: FastAPI, worker: Worker) -> None:
    """Routing's outbox, its ticket consumer, and a classifier loaded before the first ticket."""
    app.state.outbox = worker.outbox = OUTBOX
    await asyncio.to_thread(classifier.warm_up)
    [spec] = queue_specs(worker.settings)
    # One event per transaction: a new ticket locks the places it could duplicate (see
    # duplicates.lock_keys), and tickets batched together would take those locks out of order.
    worker.consumers.append((spec, Consumer(worker.db, spec, HANDLERS, processed, batch=1,
                                            drainers=16)))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The routing ASGI app."""
    return create_service_app(name="routing", settings=settings or get_settings(),
                              routers=[router, admin_router, knowledge_router,
                                       public_router], setup=setup)
