"""notify's OpenAPI fuzzed as an administrator: no input gives a 5xx; every refusal is problem+json."""

import socket
from urllib.parse import quote

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
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)


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
    ("PUT", SMS, {"code": "C", "body": "码${code}",
                  "params": {"code": "{% for i in range(9) %}{% for j in range(9) %}x{% endfor %}{% endfor %}"}},
     "params.code"),
    ("PUT", SMS, {"code": "C", "body": "码${code}", "params": {"code": "{{ code|center(99999999) }}"}},
     "params.code"),
    ("PUT", SMS, {"code": "C", "body": "码${code}", "params": {"code": "{{ code|center(9999*9999) }}"}},
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


# Values a few examples rarely reach: NUL, past a column, past bigint, the ends of the calendar.
EDGES = {
    "string": ["a\x00b", "字" * 5000],
    "integer": [2**63, -(2**63) - 1],
    "number": [1e308],
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
}
# The other path parameters of a request, at values that reach the handler.
VALID = {"kind": "auth.code_requested", "audience": "citizen", "channel": "sms",
         "message_id": "00000000-0000-0000-0000-000000000000", "provider": "aliyun"}


def _kind(parameter: dict) -> str | None:
    variants = parameter["schema"].get("anyOf", [parameter["schema"]])
    variant = next((v for v in variants if v.get("type") != "null"), {})
    return variant.get("format") or variant.get("type")


def _edges():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for value in EDGES.get(_kind(parameter), ()):
                    yield pytest.param(method.upper(), path, parameter, value,
                                       id=f"{method.upper()} {path} {parameter['name']}={value!r:.16}")


@pytest.mark.parametrize(("method", "path", "parameter", "value"), list(_edges()))
async def test_edge_values_are_refused_not_failed(served, method, path, parameter, value):
    base_url, headers = served
    params, filled = {}, dict(VALID)
    if parameter["in"] == "path":
        filled[parameter["name"]] = quote(str(value), safe="")
    else:
        params[parameter["name"]] = value
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        response = await client.request(method, path.format(**filled), params=params)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
