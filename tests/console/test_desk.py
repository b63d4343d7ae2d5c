"""The desks over HTTP: bulk 签收, saved views, the 派单台's decisions, 电话受理's form."""

import re

import httpx
import pytest
from sqlalchemy import delete, insert

from services.core.db import Database
from services.routing import learned
from services.routing.models import classifier_models
from tests.console.test_pages import assigned

pytestmark = pytest.mark.timeout(180)


async def test_a_handler_signs_several_tickets_at_once(console):
    numbers = [(await console.submit())["number"] for _ in range(2)]
    units = {(await assigned(console, n))["lead_unit"] for n in numbers}
    assert len(units) == 1, "the same report goes to the same unit"
    await console.login(f"handler-{units.pop()}")
    await console.get("/tickets?queue=to_sign")
    answer = await console.post("/tickets/bulk", {"bulk": "sign", "number": numbers,
                                                  "back": "queue=to_sign"})
    assert answer.status_code == 303
    page = await console.get(answer.headers["location"])
    assert "已签收 2 件" in page.text
    headers = await console.token("center-532622")
    for number in numbers:
        ticket = (await console.intake.get(f"/v1/tickets/{number}", headers=headers)).json()
        assert ticket["status"] == "in_progress"


async def test_bulk_says_which_tickets_were_refused(console):
    created = await console.submit()
    ticket = await assigned(console, created["number"])
    await console.login(f"handler-{ticket['lead_unit']}")
    await console.get("/tickets")
    await console.post("/tickets/bulk", {"bulk": "sign", "number": [created["number"]]})
    again = await console.post("/tickets/bulk", {"bulk": "sign", "number": [created["number"]]})
    page = await console.get(again.headers["location"])
    assert "已签收 0 件" in page.text and f"{created['number']}（" in page.text


async def test_a_saved_view_comes_back_and_goes(console):
    await console.login("center-532622")
    await console.get("/tickets?urgency=urgent&sort=due_asc")
    saved = await console.post("/tickets/views", {"name": "紧急先办", "query": "urgency=urgent&sort=due_asc"})
    page = await console.get(saved.headers["location"])
    assert "已保存视图「紧急先办」" in page.text
    assert '<a href="/tickets?urgency=urgent&amp;sort=due_asc">紧急先办</a>' in page.text
    view_id = re.search(r'action="/tickets/views/(\d+)/delete"', page.text).group(1)
    gone = await console.post(f"/tickets/views/{view_id}/delete")
    page = await console.get(gone.headers["location"])
    assert "紧急先办</a>" not in page.text


async def test_the_center_approves_a_return_from_the_desk(console):
    created = await console.submit()
    ticket = await assigned(console, created["number"])
    unit_token = await console.token(f"handler-{ticket['lead_unit']}")
    asked = await console.intake.post(f"/v1/tickets/{created['number']}/actions/request_return",
                                      json={"reason": "不属于本单位职责"}, headers=unit_token)
    assert asked.status_code == 200, asked.text
    await console.login("center-532622")
    desk = await console.get("/dispatch")
    assert "不属于本单位职责" in desk.text
    denied = await console.post(f"/dispatch/{created['number']}/deny_return", {"reason": ""})
    page = await console.get(denied.headers["location"])
    assert "error-summary" in page.text  # a denial needs a reason: said, nothing changed
    approved = await console.post(f"/dispatch/{created['number']}/approve_return",
                                  {"label": "已同意退件"})
    page = await console.get(approved.headers["location"])
    assert f"{created['number']}：已同意退件" in page.text
    after = (await console.intake.get(f"/v1/tickets/{created['number']}",
                                      headers=await console.token("center-532622"))).json()
    assert after["status"] == "accepted" and after["lead_unit"] is None


async def test_a_call_without_content_is_refused_next_to_the_field_and_kept(console):
    await console.login("agent-532622")
    form = await console.get("/intake/new")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text).group(1)
    refused = await console.post("/intake/new", {"idempotency_key": key, "phone": "13987650077",
                                                 "name": "赵先生", "region_code": "532622",
                                                 "content": "", "type": "complaint"})
    assert refused.status_code == 422
    assert 'id="content-error"' in refused.text
    assert 'value="赵先生"' in refused.text and 'value="13987650077"' in refused.text


async def test_a_double_click_records_one_ticket(console):
    await console.login("agent-532622")
    form = await console.get("/intake/new")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text).group(1)
    call = {"idempotency_key": key, "phone": "13987650078", "name": "钱女士", "region_code": "532622",
            "content": "小区电梯经常停运，物业不处理。", "type": "complaint"}
    first = await console.post("/intake/new", call)
    second = await console.post("/intake/new", call)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"].split("?")[0]


async def test_the_agent_sees_the_callers_earlier_tickets(console):
    created = await console.submit(contact={"name": "孙先生", "phone": "13987650079"})
    await console.login("agent-532622")
    history = await console.get("/intake/history", params={"phone": "13987650079"},
                                headers={"HX-Request": "true"})
    assert created["number"] in history.text and "请确认是否为重复来电" in history.text


async def _classifier_state(console_platform, headers: dict) -> dict:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{console_platform['ports']['routing']}",
                                 timeout=20) as routing:
        response = await routing.get("/v1/classifier", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_desk_says_how_the_keywords_dispatch_before_any_model(console, console_platform):
    created = await console.submit()
    await assigned(console, created["number"])
    state = await _classifier_state(console_platform, await console.token("center-532622"))
    await console.login("center-532622")

    page = (await console.get("/dispatch")).text

    share = state["auto_dispatched"]
    assert state["source"] == "keywords" and share["tickets"] >= 1
    assert f"近 30 天本辖区自动派单（{share['auto_dispatched']} / {share['tickets']} 件）" in page
    assert "尚未训练分类模型，按关键词分类" in page and "准确率" not in page


async def test_the_desk_shows_the_active_models_scores(console, console_platform):
    model = learned.fit(["家里停水了", "水龙头没得水", "路灯不亮", "路灯坏了"],
                        ["infrastructure.water"] * 2 + ["municipal.streetlight"] * 2)
    model.threshold = 0.7
    database = Database(console_platform["settings"].database_url, pool_size=1, name="test")
    scores = {"status": "active", "trigger": "cli", "examples": 300, "holdout": 75,
              "accuracy": 0.905, "top_accuracy": 0.932, "baseline": "keywords",
              "baseline_accuracy": 0.7, "threshold": 0.7, "auto_rate": 0.6, "auto_precision": 0.971}
    try:
        async with database.transaction() as session:
            await session.execute(insert(classifier_models).values(**scores,
                                                                    model=learned.dumps(model)))
        await console.login("center-532622")

        page = (await console.get("/dispatch")).text

        assert "分类模型 v" in page and "375 条样本" in page
        for figure in ("93.2%", "90.5%", "97.1%", "置信度 ≥ 70%"):
            assert figure in page, figure
    finally:
        async with database.transaction() as session:  # the other pages expect the keywords
            await session.execute(delete(classifier_models))
        await database.dispose()
