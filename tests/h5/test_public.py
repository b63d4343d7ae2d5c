"""案例公开, 我要查询/热门话题, the county pickers and the nearby hint, on the real public APIs."""

import re

import pytest

from services.core.consumer import wait_until
from tests.h5.citizen import TOWN, Citizen

pytestmark = pytest.mark.timeout(180)
NUMBER = re.compile(r"/m/tickets/([A-Za-z0-9]+)")
async def test_the_report_form_names_counties_and_towns_from_public_config(console_platform):
    citizen = Citizen(console_platform, "13900000301")
    try:
        await citizen.login()
        form = await citizen.get("/m/report")
        assert 'value="532622"' in form.text and "砚山县" in form.text
        towns = await citizen.get("/m/report/towns", params={"region_code": "532622"})
        assert f'value="{TOWN}"' in towns.text and 'value="532621' not in towns.text
    finally:
        await citizen.close()


async def test_a_published_case_is_found_by_words_and_shows_nothing_personal(console_platform, staff):
    citizen = Citizen(console_platform, "13900000302")
    try:
        await citizen.login()
        sent = await citizen.report(public="yes", name="欧阳娜娜", title="平远镇集镇垃圾清运不及时")
        number = NUMBER.search(sent.headers["location"]).group(1)
        await staff.resolve(number, TOWN)
        await citizen.post(f"/m/tickets/{number}/evaluation", {"resolved": "yes", "satisfaction": "satisfied"})
        published = await staff.intake.post(
            f"/v1/tickets/{number}/publication", headers=await staff.token("center-532622"),
            json={"title": "平远镇集镇垃圾清运不及时", "body": "群众反映集镇街道生活垃圾堆放一周无人清运。",
                  "reply": "镇政府已安排环卫人员每日清运，并增设垃圾桶。", "photos": []})
        assert published.status_code == 201, published.text
        case_id = published.json()["id"]
        found = await citizen.get("/m/cases", params={"q": "环卫人员清运"})
        assert f"/m/cases/{case_id}" in found.text
        page = await citizen.get(f"/m/cases/{case_id}")
        assert "增设垃圾桶" in page.text and "13900000302" not in page.text and "欧阳娜娜" not in page.text
    finally:
        await citizen.close()


async def test_knowledge_is_searched_and_read_in_full(console_platform, visitor):
    found = await visitor.get("/m/knowledge", params={"q": "社保"})
    link = re.search(r'href="(/m/knowledge/[A-Za-z0-9_-]+)"', found.text)
    assert found.status_code == 200 and link, found.text
    page = await visitor.get(link.group(1))
    assert page.status_code == 200 and "知识详情" in page.text
    nothing = await visitor.get("/m/knowledge", params={"q": "火星移民签证"})
    assert "没有找到相关内容" in nothing.text


async def test_hot_topics_show_on_the_home_page(console_platform, visitor):
    page = await visitor.get("/m/")
    assert "热门话题" in page.text and "该栏目暂未开通" not in page.text


async def test_the_form_hints_at_an_open_report_nearby(console_platform):
    citizen = Citizen(console_platform, "13900000303")
    try:
        await citizen.login()
        sent = await citizen.report(title="平远镇集镇垃圾成堆", lat="23.6101", lng="104.3402")
        assert sent.status_code == 303, sent.text

        async def hinted() -> bool:
            hint = await citizen.get("/m/report/nearby", params={"lat": "23.6102", "lng": "104.3401"})
            return "平远镇集镇垃圾成堆" in hint.text

        assert await wait_until(hinted, timeout=20)
    finally:
        await citizen.close()
