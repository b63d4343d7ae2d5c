"""The three rates on the hand-computed August of tests/sla/august.py."""

import pytest

from services.core.auth import Role
from tests.sla.august import AUGUST, REGION


async def get_stats(sla, headers, **params):
    response = await sla.get("/v1/stats", params={**AUGUST, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def rates(row: dict) -> tuple:
    return tuple(row[k] for k in ("response_rate", "on_time_rate", "resolution_rate",
                                  "satisfaction_rate"))


def counts(row: dict) -> tuple:
    return tuple(row[k] for k in ("assigned", "evaluated", "overdue", "returned", "extended",
                                  "reopened"))


async def test_rates_per_unit_and_county(sla, auth, august):
    u1, u2 = august
    body = await get_stats(sla, auth(Role.admin))
    units = {row["unit_code"]: row for row in body["units"]}
    assert rates(units[u1]) == (0.6667, 0.75, 0.6667, 0.6667)
    assert counts(units[u1]) == (3, 3, 1, 0, 0, 1)
    assert rates(units[u2]) == (1.0, 1.0, 1.0, 1.0)
    assert counts(units[u2]) == (2, 2, 0, 1, 1, 0)
    [county] = body["counties"]
    assert county["region_code"] == REGION and county["region_name"] == "富宁县"
    # Response 4 of 5; completion 5 of 6; tickets T1 T2 T3 T5 evaluated, 3 resolved, 1 basically.
    assert rates(county) == (0.8, 0.8333, 0.75, 0.75)
    assert counts(county) == (5, 4, 1, 1, 1, 1)
    assert body["total"]["satisfied"] == 2 and body["total"]["basically_satisfied"] == 1


async def test_satisfaction_weights_are_configurable(sla, auth, august):
    admin = auth(Role.admin)
    weights = {"satisfied": 1.0, "basically_satisfied": 0.5, "unsatisfied": 0.0}
    assert (await sla.put("/v1/policies", json={"satisfaction_weights": weights},
                          headers=admin)).status_code == 200
    try:
        body = await get_stats(sla, admin)
        units = {row["unit_code"]: row for row in body["units"]}
        assert units[august[1]]["satisfaction_rate"] == 0.75  # (1 + 0.5) / 2
        assert body["counties"][0]["satisfaction_rate"] == 0.625  # (2 + 0.5) / 4
        assert body["weights"]["basically_satisfied"] == 0.5
    finally:
        weights["basically_satisfied"] = 1.0
        await sla.put("/v1/policies", json={"satisfaction_weights": weights}, headers=admin)


@pytest.mark.parametrize("role", [Role.unit_leader, Role.handler])
async def test_a_unit_sees_only_its_own_rates(sla, auth, august, role):
    u1, u2 = august
    leader = auth(role, u2, REGION)
    body = await get_stats(sla, leader)
    assert [row["unit_code"] for row in body["units"]] == [u2]
    assert counts(body["counties"][0]) == (2, 2, 0, 1, 1, 0)  # only u2's share of the county
    refused = await sla.get("/v1/stats", params={**AUGUST, "unit": u1}, headers=leader)
    assert refused.status_code == 403 and refused.json()["detail"] == "承办单位只能查看本单位的统计"


@pytest.mark.parametrize(("role", "unit", "region", "status"), [
    (Role.dispatcher, "cc-532628", REGION, 200),
    (Role.supervisor, None, "532600", 200),
    (Role.dispatcher, "cc-532622", "532622", 403),
    (Role.handler, "x", REGION, 200),  # its own unit's rates, on its 工作台
    (Role.agent, "cc-532628", REGION, 403),
    (Role.citizen, None, None, 403),
])
async def test_who_may_read_the_rates(sla, auth, august, role, unit, region, status):
    response = await sla.get("/v1/stats", params=AUGUST, headers=auth(role, unit, region))
    assert response.status_code == status


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-09-01", "to": "2026-08-01"}, "from"),
    ({"from": "2026-13-01"}, "from"),
    ({"region": "53"}, "region"),
])
async def test_bad_periods_name_the_field(sla, auth, params, field):
    response = await sla.get("/v1/stats", params=params, headers=auth(Role.admin))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
