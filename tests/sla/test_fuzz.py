"""sla's OpenAPI fuzzed as an administrator: no input gives a 5xx; every refusal is problem+json."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from services.core.settings import Settings
from services.sla.app import create_app
from tests.fuzzing import ask, ask_edge, bearer, edge_cases, refusals_are_explained, served_alone

SERVICE = "sla"


@pytest.fixture(scope="module")
async def served():
    """sla as its own process on a fresh database: its base URL and an admin's headers."""
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
FOUND = [
    ("PUT", "/v1/calendar/2000", {"holidays": ["2000-01-03", "2000-01-03"]}, "holidays.1"),
    ("PUT", "/v1/calendar/2026", {"note": "国办\x00"}, "note"),
    ("GET", "/v1/stats?from=0001-01-01", None, "from"),
    ("GET", "/v1/stats?to=9999-12-31", None, "to"),
    ("GET", "/v1/stats?unit=u%00", None, "unit"),
    ("GET", "/v1/reports/weekly?week=9999-W52", None, "week"),
    ("GET", "/v1/reports/monthly?month=9999-12", None, "month"),
    ("GET", "/v1/reports/monthly?month=0001-01", None, "month"),
    ("GET", "/v1/calendar/deadline?start=0001-01-01T00:00:00%2B14:00&hours=1", None, "start"),
    ("GET", "/v1/calendar/deadline?start=9999-12-31T23:00:00%2B00:00&hours=2", None, "start"),
    ("GET", "/v1/tickets/a%00b/sla", None, "ticket"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), FOUND)
async def test_what_fuzzing_found_is_refused(served, method, path, body, field):
    response = await ask(served, method, path, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


# The other path parameters of a request, at values that reach the handler.
VALID = {"year": 2026, "ticket": "WS202601010000001"}


@pytest.mark.parametrize(("method", "path", "parameter", "value"), edge_cases(DOCUMENT))
async def test_edge_values_are_refused_not_failed(served, method, path, parameter, value):
    response = await ask_edge(served, method, path, parameter, value, VALID)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
