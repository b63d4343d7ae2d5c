"""A running notify app talking to the local provider fake, and real events to feed it."""

import asyncio
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import pytest

from services.core import broker as topology
from services.core.db import Database
from services.core.migrate import upgrade_all
from services.core.testing import running, tap
from services.notify.app import create_app
from services.notify.fake_providers import FakeProviders
from services.notify.policy import SHANGHAI
from tests.notify.world import Publisher, TestClock, World, notify_settings


@pytest.fixture(scope="session")
async def settings(settings):
    """The run's settings, with a database and broker namespace of notify's own.

    Other folders start whole platforms (tests/e2e) whose notify replicas would otherwise
    take these tests' messages and send them through another fake provider.
    """
    parts = urlsplit(settings.database_url)
    name = f"{parts.path.lstrip('/')}_notify"
    admin = await asyncpg.connect(parts._replace(scheme="postgresql", path="/postgres").geturl())
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = parts._replace(path=f"/{name}").geturl()
    await asyncio.to_thread(upgrade_all, url, ("intake", "notify"))
    namespace = f"{settings.broker_namespace}notify."
    yield settings.model_copy(update={"database_url": url, "broker_namespace": namespace})
    connection = await aio_pika.connect(settings.amqp_url)
    await topology.delete_exchanges(await connection.channel(), namespace)
    await connection.close()
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="session")
async def fake():
    """One local server speaking Aliyun, Tencent and WeChat, for the whole session."""
    async with FakeProviders() as server:
        yield server


@pytest.fixture(scope="session")
def session_clock():
    return TestClock()


@pytest.fixture(scope="session")
async def notify(settings, fake, session_clock):
    """An HTTP client to a running notify app: consumer, sender loop and relay live."""
    app_settings = settings.model_copy(
        update={"sms_provider": "aliyun", "wechat_provider": "wechat", "db_pool_size": 5}
    )
    app = create_app(app_settings, notify_settings=notify_settings(fake), clock=session_clock)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture(autouse=True)
def clock(request, session_clock):
    """The notify app's clock, at 10:00 in Wenshan for each test (outside quiet hours)."""
    session_clock.set(datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0))
    yield session_clock
    session_clock.offset = timedelta(0)


@pytest.fixture(scope="session")
async def db(settings):
    database = Database(settings.database_url, pool_size=5)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def publish(settings, notify, db, session_clock):
    """Publishes on the events exchange, once notify's queue is bound and consumed."""
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    exchange, _ = await topology.declare_exchanges(channel, settings.broker_namespace)
    publisher = Publisher(exchange, session_clock)
    await World(publisher, db).unit("probe-notify", "999999")  # republished until it lands
    yield publisher
    await connection.close()


@pytest.fixture
def world(publish, db):
    return World(publish, db)


@pytest.fixture
async def events(settings):
    async with tap(settings) as t:
        yield t
