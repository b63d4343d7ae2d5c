"""notify's OpenAPI fuzzed as an administrator: no input gives a 5xx; every refusal is problem+json."""

import socket

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bench.common import scratch, services_running
from services.core.auth import Principal, Role, issue_token
from services.core.settings import Settings
from services.notify.app import create_app

SERVICE = "notify"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
async def served():
    """notify as its own process on a fresh database: its base URL and an admin's headers."""
    port = _free_port()
    async with scratch("fuzz_notify") as service_settings:
        async with services_running(service_settings, {SERVICE: port}, {}):
            token = issue_token(Principal("fuzz-admin", Role.admin, None, None),
                                service_settings.jwt_secret, 3600)
            yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}


def refusals_are_problems(ctx, response, case):
    """A 4xx answer is application/problem+json with a detail for the caller."""
    if 400 <= response.status_code < 500:
        kind = response.headers.get("content-type", [""])[0]
        assert kind.startswith("application/problem+json"), f"{response.status_code} as {kind!r}"
        assert response.json().get("detail") is not None


# The document the running service serves; building the app opens no connection.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, served):
    """Every operation, with generated valid and invalid input."""
    base_url, headers = served
    case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error, refusals_are_problems])


# What fuzzing found once, asked every time: each is refused with a 422 naming the field.
SMS = "/v1/templates/auth.code_requested/citizen/sms"
FOUND = [
    ("GET", "/v1/messages?offset=9223372036854775808", None, "offset"),
    ("GET", "/v1/messages?ticket=a%00b", None, "ticket"),
    ("PUT", SMS, {"code": "C\x00", "body": "码${code}", "params": {"code": "{{ code }}"}}, "code"),
    ("PUT", SMS, {"code": "C", "body": "码${code}", "params": {"code": "{{ 1/0 }}"}}, "params.code"),
    ("PUT", SMS, {"code": "C", "body": "码${code}", "params": {"code": "{{ 2.0**9999 }}"}},
     "params.code"),
    ("PUT", SMS, {"code": "C", "body": "码${code}", "params": {"code": "{{ 'x' * 10**9 }}"}},
     "params.code"),
    ("POST", "/v1/callbacks/aliyun", [{"biz_id": "1\x00", "success": True}], "body"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), FOUND)
async def test_what_fuzzing_found_is_refused(served, method, path, body, field):
    base_url, headers = served
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        response = await client.request(method, path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]
