import pytest
import structlog

pytest_plugins = ["services.core.testing"]


@pytest.fixture(autouse=True)
def _fresh_structlog():
    """Apps started by session fixtures configure structlog; tests that capture logs need it plain."""
    structlog.reset_defaults()
    yield
