from datetime import UTC, datetime

import pytest

from services.core.auth import Principal, Role, issue_token
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


@pytest.fixture(scope="session")
async def sla(settings, clock):
    """An HTTP client to a running sla app (consumer, relay and scheduler loop live)."""
    # A small pool: the whole suite's apps share one PostgreSQL's connection limit.
    app = create_app(settings.model_copy(update={"db_pool_size": 4}), now=clock, tick_seconds=0.2)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture
async def events(settings):
    async with tap(settings, "sla.#") as t:
        yield t


@pytest.fixture(scope="session")
def auth(settings):
    """Authorization headers for a role (with unit and county where they matter)."""

    def headers(role: Role, unit: str | None = None, region: str | None = None) -> dict:
        principal = Principal(f"test-{role.value}", role, unit, region)
        return {"Authorization": f"Bearer {issue_token(principal, settings.jwt_secret, 3600)}"}

    return headers


@pytest.fixture(scope="session")
async def august(sla):
    """The hand-computed August of tests/sla/august.py, fed once: its two unit codes."""
    from tests.sla.august import feed_august

    return await feed_august(sla.app)
