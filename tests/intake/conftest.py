import pytest

from services.core.auth import Role
from services.core.db import Database
from services.core.testing import running, tap
from services.intake import accounts
from services.intake.app import create_app

API_KEY = "test-channel-key-0123456789"


@pytest.fixture(scope="session")
async def db(settings):
    database = Database(settings.database_url, pool_size=5)
    async with database.transaction() as session:
        await accounts.add_api_key(session, "hotline-system", API_KEY)
        await accounts.upsert_staff(session, username="center-532622", password="pw-center",
                                    role=Role.dispatcher, unit_code="cc-532622",
                                    region_code="532622")
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def intake(settings, db):
    """An HTTP client to a running intake app (relay and loops live)."""
    app = create_app(settings)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture
async def events(settings):
    async with tap(settings) as t:
        yield t


@pytest.fixture
def channel_headers():
    return {"X-Api-Key": API_KEY}
