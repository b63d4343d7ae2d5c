"""The calendar and policy endpoints, as staff and admins use them."""

from datetime import datetime

import pytest

from services.core.auth import Role
from services.core.testing import tap

DEADLINE = "/v1/calendar/deadline"


@pytest.fixture
def staff(auth):
    return auth(Role.dispatcher, "cc-532622", "532622")


@pytest.mark.parametrize(("start", "days", "expected"), [
    ("2026-09-30T10:00:00+08:00", 5, "2026-10-13T10:00:00+08:00"),
    ("2026-10-02T15:00:00+08:00", 5, "2026-10-14T00:00:00+08:00"),
    ("2026-09-30T02:00:00Z", 5, "2026-10-13T10:00:00+08:00"),
])
async def test_issue_examples_over_http(sla, staff, start, days, expected):
    response = await sla.get(DEADLINE, params={"start": start, "working_days": days}, headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["deadline"]) == datetime.fromisoformat(expected)
    assert body["estimated"] is False and body["estimated_years"] == []


async def test_deadline_into_2027_is_computed_and_flagged(sla, staff):
    response = await sla.get(DEADLINE, params={"start": "2026-12-30T10:00:00+08:00",
                                               "working_days": 5}, headers=staff)
    assert response.status_code == 200
    assert response.json()["deadline"].startswith("2027-01-07T10:00:00")
    assert response.json()["estimated"] is True
    assert response.json()["estimated_years"] == [2027]


async def test_clock_hours_ignore_holidays(sla, staff):
    response = await sla.get(DEADLINE, params={"start": "2026-10-01T10:00:00+08:00", "hours": 24},
                             headers=staff)
    assert response.json()["deadline"] == "2026-10-02T10:00:00+08:00"


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-09-30T10:00:00+08:00"}, "working_days"),
    ({"start": "2026-09-30T10:00:00+08:00", "working_days": 1, "hours": 1}, "working_days"),
    ({"start": "2026-09-30T10:00:00", "working_days": 1}, "start"),
    ({"start": "yesterday", "working_days": 1}, "start"),
    ({"start": "2026-09-30T10:00:00+08:00", "working_days": -1}, "working_days"),
])
async def test_bad_deadline_queries_name_the_field(sla, staff, params, field):
    response = await sla.get(DEADLINE, params=params, headers=staff)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_calendar_is_for_staff(sla, auth):
    params = {"start": "2026-09-30T10:00:00+08:00", "working_days": 1}
    assert (await sla.get(DEADLINE, params=params)).status_code == 401
    citizen = auth(Role.citizen)
    response = await sla.get(DEADLINE, params=params, headers=citizen)
    assert response.status_code == 403 and response.json()["detail"] == "仅限工作人员"


async def test_loading_a_notice_makes_the_year_official(sla, auth, staff, sla_settings):
    admin = auth(Role.admin)
    params = {"start": "2029-03-02T10:00:00+08:00", "working_days": 5}
    before = (await sla.get(DEADLINE, params=params, headers=staff)).json()
    assert before["estimated"] is True and before["deadline"].startswith("2029-03-09T10:00")

    notice = {"holidays": ["2029-03-05"], "workdays": ["2029-03-10"], "note": "测试通知"}
    async with tap(sla_settings, "calendar.#") as events:
        response = await sla.put("/v1/calendar/2029", json=notice, headers=admin)
        [announced] = await events.collect(lambda m: m["type"] == "calendar.year_loaded")
    assert response.status_code == 200, response.text
    assert response.json()["source"] == "notice" and response.json()["estimated"] is False
    assert "2029-03-05" in response.json()["holidays"]
    assert response.json()["workdays"] == ["2029-03-10"]

    after = (await sla.get(DEADLINE, params=params, headers=staff)).json()
    assert after["estimated"] is False
    assert after["deadline"].startswith("2029-03-10T10:00")  # the 5th is off, the 10th worked
    year = (await sla.get("/v1/calendar/2029", headers=staff)).json()
    assert year["loaded_by"] == "test-admin" and year["note"] == "测试通知"
    assert announced["data"] == {"year": 2029, "holidays": ["2029-03-05"], "workdays": ["2029-03-10"]}


async def test_only_admins_load_notices(sla, staff):
    response = await sla.put("/v1/calendar/2029", json={"holidays": []}, headers=staff)
    assert response.status_code == 403


@pytest.mark.parametrize(("notice", "field"), [
    ({"workdays": ["2031-03-05"]}, "workdays.0"),  # a Wednesday is a workday anyway
    ({"holidays": ["2033-05-01"]}, "holidays.0"),
    ({"holidays": ["2031-10-11"], "workdays": ["2031-10-11"]}, "workdays"),
    ({"holidays": ["not a date"]}, "holidays.0"),
    ({"holidays": [], "extra": 1}, "extra"),
])
async def test_bad_notices_are_refused_whole(sla, auth, notice, field):
    response = await sla.put("/v1/calendar/2031", json=notice, headers=auth(Role.admin))
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    year = (await sla.get("/v1/calendar/2031", headers=auth(Role.admin))).json()
    assert year["source"] == "estimated"


async def test_official_year_lists_its_make_up_days(sla, staff):
    year = (await sla.get("/v1/calendar/2026", headers=staff)).json()
    assert year["source"] == "library" and year["estimated"] is False
    assert "2026-10-10" in year["workdays"] and "2026-10-01" in year["holidays"]


async def test_policies_are_seeded_and_admins_change_them(sla, auth, staff):
    policies = (await sla.get("/v1/policies", headers=staff)).json()
    limits = {(p["clock"], p["sla_class"]): (p["amount"], p["basis"]) for p in policies["clocks"]}
    assert limits[("response", "urgent")] == (1, "hours")
    assert limits[("response", "normal")] == (24, "hours")
    assert limits[("completion", "urgent")] == (3, "working_days")
    assert limits[("completion", "normal")] == (5, "working_days")
    assert limits[("completion", "complex")] == (15, "working_days")
    assert limits[("completion", "consult")] == (2, "working_days")
    assert policies["satisfaction_weights"]["basically_satisfied"] == 1.0

    change = {"clocks": [{"clock": "completion", "sla_class": "consult", "amount": 3,
                          "basis": "working_days"}]}
    assert (await sla.put("/v1/policies", json=change, headers=staff)).status_code == 403
    response = await sla.put("/v1/policies", json=change, headers=auth(Role.admin))
    assert response.status_code == 200
    changed = [p for p in response.json()["clocks"] if p["sla_class"] == "consult"]
    assert changed[0]["amount"] == 3
    change["clocks"][0]["amount"] = 2
    await sla.put("/v1/policies", json=change, headers=auth(Role.admin))


async def test_response_policies_know_only_urgency(sla, auth):
    bad = {"clocks": [{"clock": "response", "sla_class": "complex", "amount": 2, "basis": "hours"}]}
    response = await sla.put("/v1/policies", json=bad, headers=auth(Role.admin))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "clocks.0"
