"""Intake's OpenAPI, fuzzed as an admin: no input gets a 5xx, every refusal is problem+json.

Intake runs as its own process on a fresh database with the demo accounts, the way
production serves it; schemathesis draws a fixed set of cases per operation (derandomized,
so CI sees the same ones every run). Some cases name tickets that exist, so that the
process actions get past their 404 and reach the database.
"""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from bench.common import free_port, scratch, services_running
from services.core.db import Database
from services.core.settings import Settings
from services.intake.app import create_app
from services.intake.models import names
from services.intake.seed import seed
from tests.directory import announce, demo_events
from tests.fuzzing import refusals_are_problems
from tests.intake.factories import ticket_body
from tests.intake.open311 import open311_refusal

PASSWORD = "fuzz-pass-0123"
API_KEY = "fuzz-channel-key-0123456789"
# The media service is not running: a case naming attachments is told it is unavailable.
MEDIA_DOWN = "附件服务暂不可用"
# Nor is WeChat configured: a well-formed WeChat login is told it is not available.
WECHAT_OFF = "尚未配置微信小程序"
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
EDGE_REFUSALS = (413, 415)
tickets: list[str] = []  # the numbers of the tickets the fixture made


def _hostile(value):
    """The value as a careless client might send it: text with a NUL, a number past bigint."""
    if isinstance(value, dict):
        return {key: _hostile(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_hostile(item) for item in value]
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 2**64
    return value


def _some_hostile(values: dict) -> st.SearchStrategy:
    """The drawn values, or the same with some of them made hostile."""
    choices = {key: st.sampled_from([value, _hostile(value)]) for key, value in values.items()}
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(ctx, path_parameters):
    """The drawn parameters, or the same naming a ticket that exists, or hostile."""
    values = path_parameters or {}
    if "number" in values and tickets:
        named = st.sampled_from([values["number"], *tickets]).map(lambda number: {**values, "number": number})
        return st.one_of(named, _some_hostile(values))
    return _some_hostile(values)


@schema.hook
def flatmap_query(ctx, query):
    return _some_hostile(query) if isinstance(query, dict) else st.just(query)


@schema.hook
def flatmap_body(ctx, body):
    return _some_hostile(body) if isinstance(body, dict) else st.just(body)


async def _tickets(client: httpx.AsyncClient) -> list[str]:
    numbers = []
    for urgency in ("normal", "urgent", "normal"):
        answer = await client.post("/v1/tickets", json=ticket_body(urgency=urgency),
                                   headers={"X-Api-Key": API_KEY})
        answer.raise_for_status()
        numbers.append(answer.json()["number"])
    return numbers


@pytest.fixture(scope="module")
async def intake_url():
    """Intake as its own process on a fresh database with the demo seed; its URL."""
    async with scratch("fuzz") as fresh:
        fresh = fresh.model_copy(update={"dev_password": PASSWORD, "dev_api_key": API_KEY})
        database = Database(fresh.database_url, pool_size=1)
        async with database.transaction() as session:
            await seed(session, fresh)
        await announce(database, names, demo_events())  # as routing's seed would have
        await database.dispose()
        port = free_port()
        media = f"http://127.0.0.1:{free_port()}"
        async with services_running(fresh, {"intake": port}, {"MEDIA_URL": media}):
            url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=url) as client:
                tickets[:] = await _tickets(client)
            yield url
            tickets.clear()


@pytest.fixture(scope="module")
async def admin(intake_url):
    async with httpx.AsyncClient(base_url=intake_url) as client:
        answer = await client.post("/v1/auth/staff-token",
                                   json={"username": "admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.raise_for_status().json()['access_token']}"}


def refusals_fit_the_path(ctx, response, case):
    """Open311's refusals are its own `errors` documents; every other refusal is problem+json,
    and so are the platform edge's (413, 415), which refuse a body before any route sees it."""
    if case.path.startswith("/open311/") and response.status_code not in EDGE_REFUSALS:
        open311_refusal(response)
    else:
        refusals_are_problems(ctx, response, case)


def _media_down(response) -> bool:
    return response.status_code == 503 and (MEDIA_DOWN in response.text or WECHAT_OFF in response.text)


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case, intake_url, admin):
    response = case.call(base_url=intake_url, headers=admin)
    if _media_down(response):
        return
    case.validate_response(response, checks=[not_a_server_error, refusals_fit_the_path])
