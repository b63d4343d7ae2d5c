import uuid
from urllib.parse import urlsplit

import pytest

from services.core.db import Database
from services.intake import accounts
from services.intake.models import names
from tests.directory import announce, demo_events
from tests.faults.proxy import Proxy
from tests.faults.report import Row, write

KEY = f"faults-key-{uuid.uuid4().hex}"


def via(url: str, port: int) -> str:
    """The same URL through the proxy's loopback port."""
    netloc = urlsplit(url).netloc
    host = netloc.rsplit("@", 1)[-1]
    return url.replace(f"@{host}", f"@127.0.0.1:{port}", 1) if "@" in netloc else url.replace(
        host, f"127.0.0.1:{port}", 1)


def target(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return parts.hostname or "127.0.0.1", parts.port or default_port


@pytest.fixture
async def proxy_to():
    """Proxies made by a test, stopped after it."""
    made = []

    async def make(host: str, port: int) -> tuple[Proxy, int]:
        proxy = Proxy(host, port)
        made.append(proxy)
        return proxy, await proxy.start()

    yield make
    for proxy in made:
        await proxy.stop()


@pytest.fixture(scope="session")
async def channel_key(settings):
    """A channel back-end's key (and the directory intake knows), written straight to the test database (not through a proxy)."""
    db = Database(settings.database_url, pool_size=1)
    async with db.transaction() as session:
        await accounts.add_api_key(session, f"faults-{uuid.uuid4().hex[:6]}", KEY)
    await announce(db, names, demo_events())  # intake's directory, as routing's seed teaches it
    await db.dispose()
    return {"X-Api-Key": KEY}


@pytest.fixture(scope="session")
def reliability():
    """Rows for docs/reliability.md; written once the fault tests that ran are done."""
    rows: list[Row] = []
    yield rows
    if rows:
        write(rows)
