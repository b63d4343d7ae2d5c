import pytest

from services.core.auth import Role
from services.core.db import Database
from services.core.testing import running, tap
from services.intake import accounts
from services.intake.app import create_app
from services.intake.directory import KNOWN
from services.intake.models import names
from tests.directory import announce, demo_events

API_KEY = "test-channel-key-0123456789"


@pytest.fixture(scope="session")
async def db(settings):
    database = Database(settings.database_url, pool_size=5)
    async with database.transaction() as session:
        await accounts.add_api_key(session, "hotline-system", API_KEY)
        await accounts.upsert_staff(session, username="desk-test", password="pw-center",
                                    role=Role.dispatcher, unit_code="cc-532622",
                                    region_code="532622")
    await announce(database, names, demo_events(), KNOWN)
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


@pytest.fixture(scope="session")
async def seeded(settings, db):
    """The demo staff accounts (password `test-pass`), as `make run` seeds them."""
    from services.intake.seed import seed

    async with db.transaction() as session:
        return await seed(session, settings)


@pytest.fixture(scope="session")
async def staff(intake, seeded):
    """Desks of the people in the 砚山县 story, and one from 文山市."""
    from tests.intake.flow import desk

    names = {
        "admin": "admin", "center": "center-532622", "other_center": "center-532601",
        "supervisor": "supervisor-532622", "town": "handler-532622100",
        "town_leader": "leader-532622100", "urban": "handler-532622-urban",
        "urban_leader": "leader-532622-urban", "police": "handler-532622-police",
        "other_town": "handler-532622101",
    }
    desks = {key: await desk(intake, username) for key, username in names.items()}
    intake.admin = desks["admin"]
    return desks
