"""notify's OpenAPI fuzzed as an administrator: no input gives a 5xx; every refusal is problem+json."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from services.core.settings import Settings
from services.notify.app import create_app
from tests.fuzzing import ask, ask_edge, bearer, edge_cases, refusals_are_explained, served_alone

SERVICE = "notify"


@pytest.fixture(scope="module")
async def served():
    """notify as its own process on a fresh database: its base URL and an admin's headers."""
    async with served_alone(SERVICE) as (base_url, service_settings):
        yield base_url, bearer(service_settings.jwt_secret)


# The document the running service serves; building the app opens no connection.
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, served):
    """Every operation, with generated valid and invalid input."""
    base_url, headers = served
    case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error, refusals_are_explained])


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
    response = await ask(served, method, path, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


# The other path parameters of a request, at values that reach the handler.
VALID = {"kind": "auth.code_requested", "audience": "citizen", "channel": "sms",
         "message_id": "00000000-0000-0000-0000-000000000000", "provider": "aliyun"}


@pytest.mark.parametrize(("method", "path", "parameter", "value"), edge_cases(DOCUMENT))
async def test_edge_values_are_refused_not_failed(served, method, path, parameter, value):
    response = await ask_edge(served, method, path, parameter, value, VALID)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
