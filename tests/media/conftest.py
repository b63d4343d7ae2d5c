"""A real SeaweedFS S3 server, the media app on it and an intake app asking it.

Package-scoped (this folder is a package for that): the apps, their connections and weed
stop once these tests are done, since every service's apps share one PostgreSQL in a full run.
"""

import asyncio
import contextlib
import socket
import uuid

import pytest
import uvicorn

from services.core.consumer import wait_until
from services.core.testing import running, tap
from services.intake.app import create_app as create_intake_app
from services.intake.directory import KNOWN
from services.intake.models import names
from services.media.app import create_app
from services.media.inspect import MIB
from services.media.s3server import S3Server, ensure_s3, free_ports
from services.media.settings import MediaSettings
from services.media.storage import ObjectStore
from tests.directory import announce, demo_events
from tests.media.flow import until_consuming

ACCESS_KEY, SECRET_KEY = "media-test", "media-test-secret"


@pytest.fixture(scope="package")
def s3_server(tmp_path_factory) -> S3Server:
    """weed with S3 on a free port, data in a temporary directory, only our key accepted."""
    endpoint = f"127.0.0.1:{free_ports(1)[0]}"
    server = ensure_s3(endpoint, ACCESS_KEY, SECRET_KEY, tmp_path_factory.mktemp("s3"))
    assert server is not None, f"something already answers at {endpoint}"
    with server:
        yield server


@pytest.fixture(scope="package")
async def store(s3_server) -> ObjectStore:
    """A store on a bucket of this run's own."""
    store = ObjectStore(s3_server.endpoint, ACCESS_KEY, SECRET_KEY, f"media-{uuid.uuid4().hex[:12]}")
    await store.ensure_bucket()
    return store


@pytest.fixture(scope="package")
def media_settings() -> MediaSettings:
    """Small limits so oversize tests stay fast; retention run by the tests, not the loop."""
    return MediaSettings(media_max_image_bytes=2 * MIB, media_max_audio_bytes=1 * MIB,
                         media_max_video_bytes=4 * MIB, media_retention_interval_seconds=3600,
                         media_retention_batch=3)


@pytest.fixture(scope="package")
async def media(settings, s3_server, media_settings):
    """A client of the running media app; `media.url` serves the same app on a real port."""
    app_settings = settings.model_copy(update={
        "s3_endpoint": s3_server.endpoint, "s3_access_key": ACCESS_KEY,
        "s3_secret_key": SECRET_KEY, "s3_bucket": f"media-app-{uuid.uuid4().hex[:8]}",
        "db_pool_size": 3})
    app = create_app(app_settings, media_settings)
    async with running(app) as client, serving(app) as url:
        await until_consuming(settings, settings.broker_name("media"))
        client.app, client.url = app, url
        client.store = app.state.media.store
        yield client


@pytest.fixture(scope="package")
async def intake(settings, media):
    """A client of an intake app that looks media up at the media app's real port."""
    app = create_intake_app(settings.model_copy(update={"media_url": media.url, "db_pool_size": 3}))
    async with running(app) as client:
        await until_consuming(settings, settings.broker_name("intake"))
        await announce(app.state.db, names, demo_events(), KNOWN)  # as routing's seed would
        yield client


@pytest.fixture
async def events(settings):
    """What really went out on this run's exchange."""
    async with tap(settings) as seen:
        yield seen


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C still stops pytest."""

    def capture_signals(self):
        return contextlib.nullcontext()


@contextlib.asynccontextmanager
async def serving(app, port: int = 0):
    """Serve an app whose lifespan already runs on a real loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    server = _Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return server.started

    assert await wait_until(started), "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
