"""The intake service: the front door for every channel, the single writer of ticket state."""

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI

from services.core.broker import QueueSpec
from services.core.consumer import Consumer
from services.core.http import create_service_app
from services.core.outbox import Outbox
from services.core.ratelimit import RateLimiter
from services.core.runtime import Worker, every
from services.core.settings import Settings, get_settings
from services.intake import open311, open311_xml, service, sms_channel
from services.intake.api import router
from services.intake.channels_api import router as channels_router
from services.intake.desk_api import router as desk_router
from services.intake.handlers import make_handlers
from services.intake.media import MediaLookup
from services.intake.models import outbox, processed, rate_limits
from services.intake.public_api import router as public_router
from services.intake.saved_views import router as saved_views_router
from services.intake.settings import IntakeSettings, get_intake_settings
from services.intake.staff_api import router as staff_router
from services.intake.submission import TicketNumbers
from services.intake.wechat_login import WechatLogin

HOUSEKEEPING_SECONDS = 60.0
BINDINGS = ("ticket.assigned.*", "ticket.duplicate_flagged", "sla.overdue.*", "sla.warning.*",
            "sla.clock_changed.*", "unit.upserted", "category.upserted", "calendar.year_loaded")


def queue_specs(settings: Settings) -> list[QueueSpec]:
    """Intake's queue: owners from routing, duplicates, overdue clocks, names for the archive,
    sla's calendar."""
    return [QueueSpec(settings.broker_name("intake"), BINDINGS)]


async def setup(app: FastAPI, worker: Worker) -> None:
    """Intake's outbox, its consumer of routing and sla events, and its housekeeping loop."""
    app.state.outbox = worker.outbox = Outbox(outbox, "intake")
    app.state.api_key_cache = {}
    app.state.numbers = TicketNumbers()
    app.state.limits = RateLimiter(worker.db, rate_limits)
    app.state.media = MediaLookup(worker.settings.media_url, worker.settings.jwt_secret)
    worker.closers.append(app.state.media.close)
    app.state.clock = asyncio.get_running_loop().time
    own = app.state.intake_settings
    app.state.wechat = WechatLogin(own.wechat_api_base, own.wechat_appid, own.wechat_secret)
    worker.closers.append(app.state.wechat.close)
    settings = worker.settings
    [spec] = queue_specs(settings)
    # One drainer: what routing and sla tell intake waits a little under a burst, while
    # citizens' and agents' requests on the same event loop keep their turns.
    worker.consumers.append((spec, Consumer(worker.db, spec, make_handlers(worker.outbox), processed,
                                            drainers=1)))

    async def housekeeping() -> None:
        now = datetime.now(UTC)
        async with worker.db.transaction() as session:
            await service.expire_stale(session, worker.outbox, now=now, days=settings.pending_info_days)
        async with worker.db.transaction() as session:
            await service.close_unevaluated(session, worker.outbox, now=now)
        await app.state.limits.forget_old()

    worker.loops.append(lambda: every(HOUSEKEEPING_SECONDS, housekeeping, "intake.housekeeping"))

    async def settle_sms() -> None:
        async with worker.db.transaction() as session:
            await sms_channel.settle(session, worker.outbox, own, now=datetime.now(UTC),
                                     prefix=settings.ticket_prefix, numbers=app.state.numbers)

    worker.loops.append(lambda: every(own.sms_poll_seconds, settle_sms, "intake.sms_settle"))


def create_app(settings: Settings | None = None, intake: IntakeSettings | None = None) -> FastAPI:
    """The intake ASGI app."""
    app = create_service_app(name="intake", settings=settings or get_settings(),
                             routers=[router, staff_router, desk_router, saved_views_router, open311.router,
                                      public_router, channels_router], setup=setup)
    app.add_exception_handler(open311_xml.Open311Error, open311_xml.on_open311_error)
    app.state.intake_settings = intake or get_intake_settings()
    return app
