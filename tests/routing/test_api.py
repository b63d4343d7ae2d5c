"""A unit's queue and who may read it; category suggestions for agents on the phone."""

import pytest

from services.core.auth import Role
from services.core.testing import tap
from tests.routing.flow import PatientTap, assigned, bearer, submit

FOOD = "这家餐馆卖的凉菜吃了拉肚子，后厨很脏。"
NOISE = "小区旁边工地每天半夜打桩，噪音太大，吵得老人孩子都睡不着。"


@pytest.fixture(scope="module")
async def food_ticket(intake, settings):
    async with tap(settings) as core_tap:
        events = PatientTap(core_tap.queue)
        ticket = await submit(intake, FOOD, category="market.food")
        await events.collect(assigned(ticket["number"]), count=2)
    return ticket


@pytest.mark.parametrize(("role", "unit", "region", "asked", "status"), [
    (Role.handler, "532622-market", "532622", None, 200),
    (Role.handler, "532622-market", "532622", "532622-market", 200),
    (Role.unit_leader, "532622-market", "532622", "532622-market", 200),
    (Role.handler, "532622-health", "532622", "532622-market", 403),
    (Role.dispatcher, "cc-532622", "532622", "532622-market", 200),
    (Role.dispatcher, "cc-532622", "532622", "cc-532622", 200),
    (Role.dispatcher, "cc-532601", "532601", "532622-market", 403),
    (Role.dispatcher, "cc-532600", "532600", "532622-market", 200),
    (Role.supervisor, None, "532622", "532622-market", 200),
    (Role.agent, "cc-532622", "532622", "532622-market", 403),
    (Role.citizen, None, None, "532622-market", 403),
    (Role.channel, None, None, "532622-market", 403),
    (Role.admin, None, "532600", "532622-market", 200),
    (Role.admin, None, "532600", "532622-nowhere", 404),
    (Role.admin, None, "532600", None, 422),
])
async def test_queue_scopes(settings, routing, food_ticket, role, unit, region, asked, status):
    params = {"unit": asked} if asked else {}

    response = await routing.get("/v1/assignments", params=params,
                                 headers=bearer(settings, role, unit=unit, region=region))

    assert response.status_code == status, response.text
    if status == 200:
        queue = response.json()
        mine = [a for a in queue if a["number"] == food_ticket["number"]]
        assert all(a["state"] == "active" for a in queue)
        if (asked or unit) == "532622-market":
            assert [(a["role"], a["category"]) for a in mine] == [("lead", "market.food")]
    else:
        assert response.headers["content-type"] == "application/problem+json"


async def test_queue_needs_a_token(routing):
    response = await routing.get("/v1/assignments", params={"unit": "532622-market"})
    assert response.status_code == 401


async def test_queue_by_state(settings, routing, food_ticket):
    leader = bearer(settings, Role.unit_leader, unit="532622-market", region="532622")

    none_returned = await routing.get("/v1/assignments", params={"state": "returned"},
                                      headers=leader)
    every = await routing.get("/v1/assignments", params={"state": "all", "limit": 200},
                              headers=leader)
    wrong = await routing.get("/v1/assignments", params={"state": "lost"}, headers=leader)

    assert food_ticket["number"] not in [a["number"] for a in none_returned.json()]
    assert food_ticket["number"] in [a["number"] for a in every.json()]
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "state"


async def test_agent_gets_suggestions_with_the_unit_for_the_place(settings, routing):
    agent = bearer(settings, Role.agent, unit="cc-532622", region="532622")

    response = await routing.post("/v1/classify", headers=agent,
                                  json={"text": NOISE, "region_code": "532622"})

    assert response.status_code == 200, response.text
    answer = response.json()
    best = answer["suggestions"][0]
    assert answer["confident"] is True and answer["threshold"] == 0.6
    assert best["category"] == "municipal.noise" and best["name"] == "噪音扰民"
    assert best["lead_unit"] == "532622-urban" and best["lead_unit_name"] == "砚山县城市管理局"
    assert {"unit_code": "532622-police", "role": "cooperating"} in best["co"]
    assert [s["confidence"] for s in answer["suggestions"]] == sorted(
        (s["confidence"] for s in answer["suggestions"]), reverse=True)


async def test_suggestions_without_a_place_name_no_unit(settings, routing):
    agent = bearer(settings, Role.agent, unit="cc-532622", region="532622")
    response = await routing.post("/v1/classify", headers=agent, json={"text": NOISE, "top": 1})
    [only] = response.json()["suggestions"]
    assert only["lead_unit"] is None and only["co"] == []


@pytest.mark.parametrize(("role", "body", "status", "field"), [
    (Role.handler, {"text": NOISE}, 403, None),
    (Role.citizen, {"text": NOISE}, 403, None),
    (Role.agent, {"text": "  "}, 422, "text"),
    (Role.agent, {"text": NOISE, "region_code": "5326"}, 422, "region_code"),
    (Role.agent, {"text": NOISE, "top": 9}, 422, "top"),
])
async def test_refused_classifications(settings, routing, role, body, status, field):
    response = await routing.post("/v1/classify", json=body,
                                  headers=bearer(settings, role, unit="cc-532622",
                                                 region="532622"))
    assert response.status_code == status, response.text
    if field:
        assert response.json()["errors"][0]["field"] == field
