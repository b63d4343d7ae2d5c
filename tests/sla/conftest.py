import asyncio
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import pytest

from services.core import broker
from services.core.auth import Principal, Role, issue_token
from services.core.migrate import upgrade
from services.core.testing import running, tap
from services.sla.app import create_app

# Before every instant the tests use: the app's own scheduler loop finds nothing due.
IDLE = datetime(2026, 1, 1, tzinfo=UTC)


class ManualClock:
    """The `now` of the sla app under test; tests move it, nothing sleeps."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="session")
def clock():
    return ManualClock(IDLE)


@pytest.fixture(autouse=True)
def _idle_clock(request):
    yield
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock").at = IDLE


def _admin_dsn(url: str) -> str:
    return urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))._replace(path="/postgres").geturl()


@pytest.fixture(scope="session")
async def sla_settings(settings):
    """sla's own database and broker namespace inside this run.

    The clocks here live on the tests' injected time; a replica on the real clock (the e2e
    platform runs one on the shared namespace) would announce them at once.
    """
    name = urlsplit(settings.database_url).path.lstrip("/") + "_sla"
    url = urlsplit(settings.database_url)._replace(path=f"/{name}").geturl()
    admin = await asyncpg.connect(_admin_dsn(url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await asyncio.to_thread(upgrade, "sla", url)
    # A small pool: the whole suite's apps share one PostgreSQL's connection limit.
    yield settings.model_copy(update={"database_url": url, "db_pool_size": 4,
                                      "broker_namespace": settings.broker_namespace + "sla."})
    connection = await aio_pika.connect(settings.amqp_url)
    await broker.delete_exchanges(await connection.channel(), settings.broker_namespace + "sla.")
    await connection.close()
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="session")
async def sla(sla_settings, clock):
    """An HTTP client to a running sla app (consumer, relay and scheduler loop live)."""
    app = create_app(sla_settings, now=clock, tick_seconds=0.2)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture
async def events(sla_settings):
    async with tap(sla_settings, "sla.#") as t:
        yield t


@pytest.fixture(scope="session")
def auth(sla_settings):
    """Authorization headers for a role (with unit and county where they matter)."""

    def headers(role: Role, unit: str | None = None, region: str | None = None) -> dict:
        principal = Principal(f"test-{role.value}", role, unit, region)
        return {"Authorization": f"Bearer {issue_token(principal, sla_settings.jwt_secret, 3600)}"}

    return headers


@pytest.fixture(scope="session")
async def august(sla):
    """The hand-computed August of tests/sla/august.py, fed once: its two unit codes."""
    from tests.sla.august import feed_august

    return await feed_august(sla.app)
