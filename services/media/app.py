"""The media service: uploads in object storage, metadata in `media`, retention."""

import asyncio
from datetime import UTC, datetime

import structlog
import urllib3
from fastapi import FastAPI, Request

from services.core.broker import QueueSpec
from services.core.consumer import Consumer
from services.core.http import RETRY_AFTER_SECONDS, create_service_app
from services.core.outbox import Outbox
from services.core.problems import Problem, problem_response
from services.core.runtime import Worker, every
from services.core.settings import Settings, get_settings
from services.media import retention
from services.media.api import router
from services.media.channel_keys import ChannelKeys
from services.media.handlers import BINDINGS, HANDLERS
from services.media.inspect import MediaError
from services.media.models import outbox, processed
from services.media.service import Media
from services.media.settings import MediaSettings
from services.media.storage import ObjectStore

log = structlog.get_logger()

TITLES = {413: "文件过大", 415: "不支持的文件类型"}
# `make run` starts the embedded S3 server beside this service; it takes a few seconds.
BUCKET_WAIT_SECONDS = 60.0


async def wait_for_bucket(store: ObjectStore, timeout: float = BUCKET_WAIT_SECONDS) -> None:
    """Create the bucket if missing, waiting while the object store starts."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await store.ensure_bucket()
        except Exception as exc:
            if loop.time() > deadline:
                raise
            log.warning("media.waiting_for_object_store", error=str(exc))
            await asyncio.sleep(1.0)


def queue_specs(settings: Settings) -> list[QueueSpec]:
    """media's queue: tickets naming uploads, and the units they are assigned to."""
    return [QueueSpec(settings.broker_name("media"), BINDINGS)]


def make_setup(media_settings: MediaSettings):
    """The lifespan hook: bucket, outbox, consumer of ticket events, retention loop."""

    async def setup(app: FastAPI, worker: Worker) -> None:
        settings = worker.settings
        store = ObjectStore.from_settings(settings, public_endpoint=media_settings.s3_public_endpoint)
        await wait_for_bucket(store)
        worker.outbox = Outbox(outbox, "media")
        media = app.state.media = Media(worker.db, store, worker.outbox, media_settings)
        app.state.channel_keys = ChannelKeys(media_settings.intake_url, media_settings.media_channel_key_seconds)
        worker.closers.append(app.state.channel_keys.close)
        [spec] = queue_specs(settings)
        worker.consumers.append((spec, Consumer(worker.db, spec, HANDLERS, processed)))

        async def purge() -> None:
            await retention.purge(media, now=datetime.now(UTC))

        worker.loops.append(lambda: every(media_settings.media_retention_interval_seconds, purge,
                                          "media.retention"))

    return setup


async def _on_media_error(request: Request, exc: MediaError):
    return problem_response(Problem(exc.status, TITLES.get(exc.status, "请求有误"), exc.detail))


async def _on_storage_unreachable(request: Request, exc: urllib3.exceptions.HTTPError):
    # The object store down or failing is an outage to wait out, as the database's is.
    log.warning("media.object_store_unreachable", path=request.url.path, error=type(exc).__name__)
    return problem_response(Problem(503, "服务暂时不可用", "文件存储暂时无法访问，请稍后重试",
                                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


def create_app(settings: Settings | None = None, media: MediaSettings | None = None) -> FastAPI:
    """The media ASGI app."""
    media = media or MediaSettings()
    app = create_service_app(name="media", settings=settings or get_settings(), routers=[router],
                             setup=make_setup(media), max_body=media.max_body)
    app.add_exception_handler(MediaError, _on_media_error)
    app.add_exception_handler(urllib3.exceptions.HTTPError, _on_storage_unreachable)
    return app
