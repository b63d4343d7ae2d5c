"""The intake service: the front door for every channel, the single writer of ticket state."""

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI

from services.core.http import create_service_app
from services.core.outbox import Outbox
from services.core.runtime import Worker, every
from services.core.settings import Settings, get_settings
from services.intake import service
from services.intake.api import router
from services.intake.models import outbox

EXPIRY_CHECK_SECONDS = 60.0


async def setup(app: FastAPI, worker: Worker) -> None:
    """Intake's outbox and its 待完善 expiry loop."""
    app.state.outbox = worker.outbox = Outbox(outbox, "intake")
    app.state.api_key_cache = {}
    app.state.clock = asyncio.get_running_loop().time
    settings = worker.settings

    async def expire() -> None:
        async with worker.db.transaction() as session:
            await service.expire_stale(session, worker.outbox, now=datetime.now(UTC),
                                       days=settings.pending_info_days)

    worker.loops.append(lambda: every(EXPIRY_CHECK_SECONDS, expire, "intake.expire"))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The intake ASGI app."""
    return create_service_app(name="intake", settings=settings or get_settings(),
                              routers=[router], setup=setup)
