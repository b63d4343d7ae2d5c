"""The citizen pages over the whole platform: the console's fixtures (six processes, real servers)."""

import httpx
import pytest

from tests.console.conftest import browser, console_platform  # noqa: F401  (fixtures reused)
from tests.h5.citizen import Citizen, Staff

ARTIFACTS_DIR = "h5"


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


async def present(platform: dict, service: str, path: str) -> bool:
    """Whether a public endpoint of the contract (issue 16) is deployed: anything but a 404."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{platform['ports'][service]}", timeout=10) as http:
        return (await http.get(path)).status_code != 404
