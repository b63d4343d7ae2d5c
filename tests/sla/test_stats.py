"""The three rates on a hand-computed August: five tickets of two units in 富宁县 (532628).

Per unit (computed by hand, see each ticket's comment):
  U1: response 2 of 3 in time; completion 3 of 4 in time (T3 twice); evaluated T1 T2 T3:
      2 resolved, 2 satisfied, 1 unsatisfied; overdue T2; reopened T3.
  U2: response 2 of 2 (T4 returned: not counted); completion 2 of 2 (T5 extended);
      evaluated T3 T5: 2 resolved, 1 satisfied, 1 basically; returned T4; extended T5.
"""

import pytest

from services.core.auth import Role
from tests.sla.flow import Ticket, at, unit_code

REGION = "532628"
AUGUST = {"region": REGION, "from": "2026-08-01", "to": "2026-08-31"}


async def evaluate(ticket, when, resolved, satisfaction):
    await ticket.send("ticket.evaluated", when, resolved=resolved, satisfaction=satisfaction,
                      comment=None, auto=False)


async def resolve(ticket, unit, when):
    await ticket.send("ticket.resolved", when, unit_code=unit, result="已办结", evidence_media_ids=[])


@pytest.fixture(scope="module")
async def august(sla):
    """Feed the five tickets once for every test of this module."""
    u1, u2 = unit_code("u1"), unit_code("u2")
    t1, t2, t3, t4, t5 = (Ticket(sla.app, region=REGION) for _ in range(5))
    await t1.created(at(2026, 8, 3, 8), town="532628100")
    await t1.assign(u1, at(2026, 8, 3, 9))
    await t1.send("ticket.signed", at(2026, 8, 3, 9, 30), unit_code=u1)  # in time
    await resolve(t1, u1, at(2026, 8, 5, 15))  # due 08-10 09:00: in time
    await evaluate(t1, at(2026, 8, 6, 10), True, "satisfied")

    await t2.created(at(2026, 8, 3, 9), category="municipal.road_occupation", town="532628100")
    await t2.assign(u1, at(2026, 8, 3, 10))
    await t2.send("ticket.signed", at(2026, 8, 4, 12), unit_code=u1)  # due 08-04 10:00: late
    await resolve(t2, u1, at(2026, 8, 12, 10))  # due 08-10 10:00: late
    await evaluate(t2, at(2026, 8, 12, 12), False, "unsatisfied")

    await t3.created(at(2026, 8, 4, 8))
    await t3.assign(u1, at(2026, 8, 4, 9), correlation_id="t3")
    await t3.assign(u2, at(2026, 8, 4, 9), role="responsible", correlation_id="t3")
    await t3.send("ticket.signed", at(2026, 8, 4, 10), unit_code=u1)
    await t3.send("ticket.signed", at(2026, 8, 4, 11), unit_code=u2)
    await resolve(t3, u1, at(2026, 8, 6, 10))  # both units in time
    await evaluate(t3, at(2026, 8, 6, 12), False, "unsatisfied")  # replaced by the later one
    await t3.send("ticket.reopened", at(2026, 8, 6, 12, 1), reason="不满意", times=1, unit_codes=[u1])
    await resolve(t3, u1, at(2026, 8, 10, 10))  # second cycle due 08-13: in time
    await evaluate(t3, at(2026, 8, 10, 12), True, "satisfied")

    await t4.created(at(2026, 8, 5, 8), category="municipal.illegal_building", town="532628100")
    await t4.assign(u2, at(2026, 8, 5, 9))
    await t4.send("ticket.returned", at(2026, 8, 5, 11), unit_code=u2, reason="非本单位职责")

    await t5.created(at(2026, 8, 6, 8), town=None)
    await t5.assign(u2, at(2026, 8, 6, 9))
    await t5.send("ticket.signed", at(2026, 8, 6, 9, 10), unit_code=u2)
    await t5.send("ticket.extended", at(2026, 8, 10, 9), unit_code=u2,
                  new_deadline="2026-08-20T10:00:00Z")
    await resolve(t5, u2, at(2026, 8, 18, 10))  # after 08-13 09:00 but before the extension
    await evaluate(t5, at(2026, 8, 18, 12), True, "basically_satisfied")
    return u1, u2


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


async def test_a_unit_leader_sees_only_its_own_unit(sla, auth, august):
    u1, u2 = august
    leader = auth(Role.unit_leader, u2, REGION)
    body = await get_stats(sla, leader)
    assert [row["unit_code"] for row in body["units"]] == [u2]
    assert counts(body["counties"][0]) == (2, 2, 0, 1, 1, 0)  # only u2's share of the county
    refused = await sla.get("/v1/stats", params={**AUGUST, "unit": u1}, headers=leader)
    assert refused.status_code == 403 and refused.json()["detail"] == "单位负责人只能查看本单位的统计"


@pytest.mark.parametrize(("role", "unit", "region", "status"), [
    (Role.dispatcher, "cc-532628", REGION, 200),
    (Role.supervisor, None, "532600", 200),
    (Role.dispatcher, "cc-532622", "532622", 403),
    (Role.handler, "x", REGION, 403),
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
