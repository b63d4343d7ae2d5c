"""Weekly and monthly reports: JSON for programs, a Chinese HTML page with charts for people."""

import pytest

from services.core.auth import Role
from tests.sla.august import REGION


@pytest.fixture
def center(auth):
    return auth(Role.dispatcher, f"cc-{REGION}", REGION)


async def test_monthly_report_lists_hot_spots_and_worst_units(sla, center, august):
    u1, _ = august
    response = await sla.get("/v1/reports/monthly", params={"month": "2026-08"}, headers=center)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["period"] == "2026-08" and report["tickets"] == 5
    assert [(c["name"], c["count"]) for c in report["hot_categories"]] == [
        ("噪音扰民", 3), ("违章建筑", 1), ("占道经营", 1)]
    assert [(p["name"], p["count"]) for p in report["hot_places"]] == [("富宁县新华镇", 4), ("富宁县", 1)]
    assert [u["unit_code"] for u in report["worst_units"]] == [u1]
    assert report["total"]["on_time_rate"] == 0.8333


async def test_weekly_report_covers_its_iso_week(sla, center, august):
    response = await sla.get("/v1/reports/weekly", params={"week": "2026-W32"}, headers=center)
    report = response.json()
    assert report["from"].startswith("2026-08-03T00:00:00+08:00")
    assert report["to"].startswith("2026-08-10T00:00:00+08:00")
    assert report["tickets"] == 5
    assert report["total"]["evaluated"] == 2  # T1, and T3's first evaluation; the rest came later
    empty = await sla.get("/v1/reports/weekly", params={"week": "2026-W30"}, headers=center)
    assert empty.json()["tickets"] == 0 and empty.json()["hot_categories"] == []


@pytest.mark.parametrize("how", [{"headers": {"Accept": "text/html"}}, {"params": {"format": "html"}}])
async def test_report_as_a_readable_page(sla, center, august, how):
    headers = {**center, **how.get("headers", {})}
    params = {"month": "2026-08", **how.get("params", {})}
    response = await sla.get("/v1/reports/monthly", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for text in ("富宁县 接诉即办月报 2026-08", "热点诉求类别", "噪音扰民", "富宁县新华镇",
                 "响应率", "80.0%", "需重点督办的单位", "<svg"):
        assert text in page, text
    assert "<script" not in page and "src=" not in page  # nothing fetched from the network


async def test_empty_week_page_still_renders(sla, center):
    response = await sla.get("/v1/reports/weekly", params={"week": "2026-W29", "format": "html"},
                             headers=center)
    assert response.status_code == 200 and "本期无诉求" in response.text


@pytest.mark.parametrize(("path", "params", "field"), [
    ("weekly", {"week": "2026-47"}, "week"),
    ("weekly", {"week": "2026-W54"}, "week"),
    ("monthly", {"month": "2026-13"}, "month"),
    ("monthly", {"month": "2026-08", "format": "pdf"}, "format"),
])
async def test_bad_periods_are_422(sla, center, path, params, field):
    response = await sla.get(f"/v1/reports/{path}", params=params, headers=center)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_a_unit_reads_its_own_report_and_no_one_elses(sla, auth, august):
    params = {"month": "2026-08"}
    handler = auth(Role.handler, august[0], REGION)
    own = await sla.get("/v1/reports/monthly", params=params, headers=handler)
    assert own.status_code == 200 and own.json()["scope"]["unit"] == august[0]
    other = await sla.get("/v1/reports/monthly", params={**params, "unit": august[1]}, headers=handler)
    assert other.status_code == 403
    agent = auth(Role.agent, "cc-532628", REGION)
    assert (await sla.get("/v1/reports/monthly", params=params, headers=agent)).status_code == 403
    leader = auth(Role.unit_leader, august[1], REGION)
    report = (await sla.get("/v1/reports/monthly", params=params, headers=leader)).json()
    assert report["scope"]["unit"] == august[1] and report["tickets"] == 3  # T3, T4, T5
