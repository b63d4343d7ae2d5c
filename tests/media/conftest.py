"""A real SeaweedFS S3 server for the media tests, started once per session."""

import uuid

import pytest

from services.media.s3server import S3Server, ensure_s3, free_ports
from services.media.storage import ObjectStore

ACCESS_KEY, SECRET_KEY = "media-test", "media-test-secret"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> S3Server:
    """weed with S3 on a free port, data in a temporary directory, only our key accepted."""
    endpoint = f"127.0.0.1:{free_ports(1)[0]}"
    server = ensure_s3(endpoint, ACCESS_KEY, SECRET_KEY, tmp_path_factory.mktemp("s3"))
    assert server is not None, f"something already answers at {endpoint}"
    with server:
        yield server


@pytest.fixture(scope="session")
async def store(s3_server) -> ObjectStore:
    """A store on a bucket of this run's own."""
    store = ObjectStore(s3_server.endpoint, ACCESS_KEY, SECRET_KEY, f"media-{uuid.uuid4().hex[:12]}")
    await store.ensure_bucket()
    return store
