"""The citizen pages over the whole platform: the console's fixtures (six processes, real servers)."""

import pytest

from tests.console.conftest import browser, console_platform  # noqa: F401  (fixtures reused)
from tests.h5.citizen import Citizen, Staff


@pytest.fixture
async def staff(console_platform):  # noqa: F811
    """Staff tokens and intake's API, to move a citizen's ticket along as the staff side would."""
    people = Staff(console_platform["ports"])
    yield people
    await people.close()


@pytest.fixture
async def visitor(console_platform):  # noqa: F811
    """A phone browser that has not logged in (its own cookies)."""
    someone = Citizen(console_platform, "13900000000")
    yield someone
    await someone.close()

