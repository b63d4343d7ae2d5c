"""Routing under test: the routing app with an intake app in front, on the real broker and DB.

Package-scoped (this folder is a package for that), so routing stops assigning once these
tests are done and never surprises the tests of other services that play routing's part
themselves; small pools, since every service's apps share one PostgreSQL in a full run.
"""

import pytest

from services.core.db import Database
from services.core.testing import declare_queues, running, tap
from services.intake import accounts
from services.intake.app import create_app as create_intake
from services.intake.app import queue_specs as intake_queues
from services.intake.seed import seed as seed_staff
from services.routing.app import QUEUE, create_app
from services.routing.seed import seed
from tests.routing.flow import API_KEY, PatientTap, until_consuming


def _small(settings):
    return settings.model_copy(update={"db_pool_size": 4})


@pytest.fixture(scope="package")
async def db(settings):
    """The routing directory and intake's demo staff accounts, as `make run` seeds them."""
    database = Database(settings.database_url, pool_size=2)
    await declare_queues(settings, intake_queues(settings))  # intake hears the seed's directory
    async with database.transaction() as session:
        await seed(session, settings)
        await seed_staff(session, settings)
        await accounts.add_api_key(session, "routing-tests", API_KEY)
    yield database
    await database.dispose()


@pytest.fixture(scope="package")
async def routing(settings, db):
    """An HTTP client to a running routing app, its consumer already on its queue."""
    async with running(create_app(_small(settings))) as client:
        await until_consuming(settings, settings.broker_name(QUEUE))
        yield client


@pytest.fixture(scope="package")
async def intake(settings, db, routing):
    """An HTTP client to a running intake app: the front door tickets come through."""
    async with running(create_intake(_small(settings))) as client:
        await until_consuming(settings, settings.broker_name("intake"))
        yield client


@pytest.fixture
async def events(settings):
    """Every event of this run, as it really went out on the broker."""
    async with tap(settings) as t:
        yield PatientTap(t.queue)
