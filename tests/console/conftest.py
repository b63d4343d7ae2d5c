"""The console over the whole platform: six processes, the real broker, database, S3 and browser."""

import asyncio
import os
from pathlib import Path

import pytest

from bench.common import cli, free_port, scratch, services_running
from services.media.s3server import start_s3
from services.notify.fake_providers import FakeProviders
from tests.console.people import Console
from tests.directory import until_intake_knows
from tests.e2e.conftest import _env

SERVICES = ("intake", "routing", "sla", "notify", "media")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"


@pytest.fixture(scope="package")
async def console_platform(tmp_path_factory):
    """Topology, the demo seed, the five services and the console, each its own process."""
    async with scratch("console") as settings, FakeProviders() as providers:
        s3 = start_s3(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key,
                      str(tmp_path_factory.mktemp("s3")))
        ports = {name: free_port() for name in (*SERVICES, "console")}
        env = _env(settings, ports, s3, providers)
        env.update({f"{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICES})
        env["CITIZEN_SITE_URL"] = f"http://127.0.0.1:{ports['console']}"  # citizen SMS link to /m/
        await asyncio.to_thread(cli, settings, env, "topology")
        await asyncio.to_thread(cli, settings, env, "seed")
        try:
            async with services_running(settings, ports, env):
                await until_intake_knows(settings.database_url)
                yield {"ports": ports, "settings": settings, "env": env, "providers": providers}
        finally:
            s3.stop()


@pytest.fixture
async def console(console_platform):
    """A fresh browserless visitor (its own cookies) and HTTP clients to the APIs."""
    visitor = Console(console_platform["ports"])
    yield visitor
    await visitor.close()


def _prepare_browser_run() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make browser` (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="package")
async def browser():
    """Debian's Chromium, headless, driven by Playwright; a missing browser fails, never skips."""
    from playwright.async_api import async_playwright

    _prepare_browser_run()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                    args=["--no-sandbox", "--lang=zh-CN"])
        yield launched
        await launched.close()
