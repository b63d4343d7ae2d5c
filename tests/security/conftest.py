"""The five services as production runs them (own processes, real broker, database and S3),
seeded with the demo directory, and the world the access matrix asks about."""

import asyncio

import pytest

from bench.common import cli, free_port, scratch, services_running
from services.media.s3server import start_s3
from services.notify.fake_providers import FakeProviders
from tests.directory import until_intake_knows
from tests.e2e.conftest import _env
from tests.security.policy import SERVICES
from tests.security.world import CHANNEL_KEY, World

CALLBACK_TOKEN = "matrix-callback-token"


@pytest.fixture(scope="package")
async def platform(tmp_path_factory):
    """Topology, the demo seed, then the five services, each its own process."""
    async with scratch("security") as settings, FakeProviders() as providers:
        s3 = start_s3(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key,
                      str(tmp_path_factory.mktemp("s3")))
        ports = {name: free_port() for name in SERVICES}
        env = {**_env(settings, ports, s3, providers), "DEV_API_KEY": CHANNEL_KEY,
               # Production requires the receipts' token; the matrix runs as production would.
               "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN}
        await asyncio.to_thread(cli, settings, env, "topology")
        await asyncio.to_thread(cli, settings, env, "seed")
        try:
            async with services_running(settings, ports, env):
                await until_intake_knows(settings.database_url)
                yield {"ports": ports, "settings": settings, "providers": providers}
        finally:
            s3.stop()


@pytest.fixture(scope="package")
async def world(platform):
    """People of every role, citizen A's assigned ticket with its photo, a failed message."""
    built = World(platform["ports"], platform["settings"], platform["providers"])
    try:
        await built.build()
        yield built
    finally:
        await built.close()
