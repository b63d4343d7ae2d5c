"""Routing's OpenAPI, fuzzed as an admin: no input gets a 5xx, every refusal is problem+json.

Routing runs as its own process on a fresh database with the demo directory, the way
production serves it; schemathesis draws a fixed set of cases per operation (derandomized,
so CI sees the same ones every run).
"""

import uuid
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from bench.common import free_port, scratch, services_running
from services.core.auth import Principal, Role, issue_token
from services.core.db import Database
from services.routing.app import create_app
from services.routing.schemas import TicketCreatedData
from services.routing.seed import KNOWLEDGE_IDS, seed
from services.routing.service import route_new
from tests.fuzzing import refusals_are_problems

SECRET = "routing-fuzz-jwt-secret-0123456789abcdef"
schema = schemathesis.openapi.from_dict(create_app().openapi())

# What the seed made (rules 2 and 3 share a category and place, leads differ), so that some
# cases reach the database with codes that exist, clash or break a reference.
KNOWN = {"unit": ["532601-urban", "532601-police", "532622", "cc-532600"],
         "category": ["municipal.noise", "municipal", "market.price"],
         "rule_id": [2, 3], "region_prefix": ["532601"], "ticket": ["WS-FUZZ-1"],
         "item_id": [str(uuid.uuid5(KNOWLEDGE_IDS, "社保卡丢失或损坏后如何补办"))],
         "region": ["532622", "532600"], "lat": [23.6], "lng": [104.3]}
TICKET = TicketCreatedData(number="WS-FUZZ-1", ticket_type="complaint", category="municipal.noise",
                           content="夜间施工噪音扰民", region_code="532622", town_code="532622100",
                           lat=23.6, lng=104.3, contact_phone="13700000001")
BODY_KEYS = {"category": "category", "lead": "unit", "parent": "unit", "unit": "unit",
             "region_prefix": "region_prefix"}


def _known(path: str, key: str) -> list:
    if key == "code":
        return KNOWN["unit"] if path.startswith("/v1/units") else KNOWN["category"]
    return KNOWN.get(BODY_KEYS.get(key, key), [])


def _some_known(path: str, values: dict) -> st.SearchStrategy:
    """The drawn values, or the same with some of them replaced by codes the seed made."""
    choices = {key: st.sampled_from([value, *_known(path, key)])
               for key, value in values.items() if _known(path, key)}
    return st.one_of(st.just(values), st.fixed_dictionaries(choices).map(
        lambda chosen: {**values, **chosen}))


@schema.hook
def flatmap_path_parameters(ctx, path_parameters):
    return _some_known(ctx.operation.path, path_parameters or {})


@schema.hook
def flatmap_query(ctx, query):
    return _some_known(ctx.operation.path, query or {})


@schema.hook
def flatmap_body(ctx, body):
    if not isinstance(body, dict):
        return st.just(body)
    return _some_known(ctx.operation.path, body)


@pytest.fixture(scope="module")
async def base_url():
    """Routing as its own process on a fresh, seeded database; its URL."""
    async with scratch("fuzz") as fresh:
        database = Database(fresh.database_url, pool_size=1)
        async with database.transaction() as session:
            await seed(session, fresh)
            await route_new(session, uuid.uuid4(), TICKET, datetime.now(UTC))
        await database.dispose()
        port = free_port()
        async with services_running(fresh, {"routing": port}, {"JWT_SECRET": SECRET}):
            yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def admin():
    token = issue_token(Principal("fuzz-admin", Role.admin, None, "532600"), SECRET, 3600)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case, base_url, admin):
    case.call_and_validate(base_url=base_url, headers=admin,
                           checks=[not_a_server_error, refusals_are_problems])
