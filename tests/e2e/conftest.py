"""The whole platform as production runs it: five processes, real broker, database and S3."""

import asyncio

import pytest

from bench.common import cli, free_port, scratch, services_running
from services.media.s3server import start_s3
from services.notify.fake_providers import FakeProviders
from tests.directory import until_intake_knows

SERVICES = ("intake", "routing", "sla", "notify", "media")
PASSWORD = "e2e-password"


@pytest.fixture(scope="package")
async def e2e_settings():
    """A database and broker namespace of the story's own: its five replicas must not
    compete with the in-process apps other test folders run in the shared namespace."""
    async with scratch("e2e") as settings:
        yield settings


@pytest.fixture(scope="package")
async def providers():
    """The SMS and WeChat providers we cannot reach, as a local server speaking their protocols."""
    async with FakeProviders() as fake:
        yield fake


def _env(settings, ports, s3, fake) -> dict:
    return {
        "S3_ENDPOINT": s3.endpoint, "MEDIA_URL": f"http://127.0.0.1:{ports['media']}",
        "INTAKE_URL": f"http://127.0.0.1:{ports['intake']}", "WECHAT_API_BASE": fake.base_url,
        "DEV_PASSWORD": PASSWORD, "DB_POOL_SIZE": "4",
        "SMS_PROVIDER": "aliyun", "ALIYUN_ACCESS_KEY_ID": fake.aliyun_key_id,
        "ALIYUN_ACCESS_KEY_SECRET": fake.aliyun_secret, "ALIYUN_BASE_URL": fake.base_url,
        "WECHAT_PROVIDER": "wechat", "WECHAT_APPID": fake.wechat_appid,
        "WECHAT_SECRET": fake.wechat_secret, "WECHAT_BASE_URL": fake.base_url,
        # The story runs at any hour: quiet hours are notify's own tests' business.
        "NOTIFY_QUIET_START_HOUR": "24", "NOTIFY_QUIET_END_HOUR": "0",
        "NOTIFY_POLL_SECONDS": "0.2",
    }





@pytest.fixture(scope="package")
async def platform(e2e_settings, providers, tmp_path_factory):
    """Topology, demo seed, then the five services, each its own process; their ports."""
    settings = e2e_settings
    s3 = start_s3(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key,
                  str(tmp_path_factory.mktemp("s3")))
    ports = {name: free_port() for name in SERVICES}
    env = _env(settings, ports, s3, providers)
    await asyncio.to_thread(cli, settings, env, "topology")
    await asyncio.to_thread(cli, settings, env, "seed")
    logs = tmp_path_factory.mktemp("logs")
    try:
        # Every line the five write, at INFO, kept for the personal-data scan at the end.
        async with services_running(settings, ports, {**env, "LOG_LEVEL": "INFO"}, log_dir=logs):
            await until_intake_knows(settings.database_url)
            yield {"ports": ports, "env": env, "settings": settings, "logs": logs,
                   "cli": lambda *args: cli(settings, env, *args)}
    finally:
        s3.stop()
