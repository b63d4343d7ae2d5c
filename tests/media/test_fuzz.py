"""media's OpenAPI fuzzed as an administrator: no input gives a 5xx; every refusal is problem+json."""

import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from services.core.auth import Principal, Role
from services.core.settings import Settings
from services.media.app import create_app
from services.media.inspect import MIB
from tests.fuzzing import ADMIN, bearer, refusals_are_explained, served_alone
from tests.media import samples
from tests.media.conftest import ACCESS_KEY, SECRET_KEY

SERVICE = "media"
# Small limits, so a generated body past them is refused after its first megabytes.
LIMITS = {"MEDIA_MAX_IMAGE_BYTES": str(2 * MIB), "MEDIA_MAX_AUDIO_BYTES": str(1 * MIB),
          "MEDIA_MAX_VIDEO_BYTES": str(4 * MIB)}


@pytest.fixture(scope="module")
async def served(s3_server):
    """media as its own process on a fresh database and the test S3 server: its URL, its JWT secret."""
    env = {"S3_ENDPOINT": s3_server.endpoint, "S3_ACCESS_KEY": ACCESS_KEY,
           "S3_SECRET_KEY": SECRET_KEY, "S3_BUCKET": f"media-fuzz-{uuid.uuid4().hex[:8]}", **LIMITS}
    async with served_alone(SERVICE, env) as (base_url, service_settings):
        yield base_url, service_settings.jwt_secret




# The document the running service serves; building the app opens no connection.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, served):
    """Every operation, with generated valid and invalid input."""
    base_url, secret = served
    case.call_and_validate(base_url=base_url, headers=bearer(secret, ADMIN),
                           checks=[not_a_server_error, refusals_are_explained])


# What the fuzzer reaches only by luck, asked every time: each a 4xx problem+json, never a 500.
MULTIPART = "multipart/form-data; boundary=x"
MALFORMED = [
    ("GET", "/v1/media/not-a-uuid", None, None, 422),
    ("GET", "/v1/media/a%00b", None, None, 422),
    ("POST", "/v1/media/%00/complete", None, None, 422),
    ("POST", "/v1/media", "text/plain", b"x", 415),
    ("POST", "/v1/media", "image/jpeg", b"\xff\xd8\xff", 415),
    ("POST", "/v1/media", "application/json", b"{}", 422),
    ("POST", "/v1/media", "multipart/form-data", b"no boundary", 422),
    ("POST", "/v1/media", MULTIPART, b"garbage", 400),
    ("POST", "/v1/media", f"multipart/form-data; boundary={'b' * 100_000}", b"garbage", 400),
    ("POST", "/v1/media", MULTIPART, b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nab', 400),
    ("POST", "/v1/media", MULTIPART,
     b'--x\r\nContent-Disposition: form-data; name="file"; x="' + b"a" * (5 * MIB) + b'"\r\n\r\n', 413),
    ("POST", "/v1/media/uploads", "application/json",
     b'{"kind": "video", "content_type": "video/mp4\\u0000", "size": 1}', 422),
    ("POST", "/v1/media/uploads", "application/json",
     b'{"kind": "video", "content_type": "video/mp4", "size": 99999999999999999999999}', 413),
]


@pytest.mark.parametrize(("method", "path", "content_type", "body", "status"), MALFORMED)
async def test_malformed_requests_are_refused_as_problems(served, method, path, content_type, body,
                                                          status):
    base_url, secret = served
    headers = bearer(secret, ADMIN) | ({"Content-Type": content_type} if content_type else {})
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


# Found beside the fuzzing: a signed token naming a user or unit longer than media's columns
# (or with a NUL) was a 500 when media stored or looked up the caller; now a 401 to sign in again.
CALLERS = {
    "long subject": Principal("x" * 101, Role.citizen),
    "NUL in subject": Principal("a\x00b", Role.citizen),
    "long unit": Principal("handler-1", Role.handler, "u" * 41),
    "NUL in unit": Principal("handler-1", Role.handler, "u\x00"),
}
VIDEO = {"kind": "video", "content_type": "video/mp4", "size": 1}


@pytest.mark.parametrize("who", CALLERS)
async def test_a_caller_media_cannot_keep_is_asked_to_sign_in_again(served, who):
    base_url, secret = served
    async with httpx.AsyncClient(base_url=base_url) as client:
        stored = await client.post("/v1/media", files={"file": ("a.jpg", samples.jpeg())},
                                   headers=bearer(secret, ADMIN))
        refused = [await client.post("/v1/media/uploads", json=VIDEO,
                                     headers=bearer(secret, CALLERS[who])),
                   await client.get(f"/v1/media/{stored.json()['id']}",
                                    headers=bearer(secret, CALLERS[who]))]
    for response in refused:
        assert response.status_code == 401, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "登录身份无效，请重新登录"
