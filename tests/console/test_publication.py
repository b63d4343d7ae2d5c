"""公开为案例 from the console: a closed ticket its citizen let go public is rewritten by the
county's center; personal data left in is refused next to its field; the case is then public."""

import uuid

import pytest
from playwright.async_api import expect

from services.core.auth import Principal, Role, issue_token
from services.core.settings import Settings
from tests.console.test_pages import assigned
from tests.console.test_working_day import person

pytestmark = pytest.mark.timeout(180)
CALLER = {"name": "欧阳秀英", "phone": "13987650077"}


async def act(console, username: str, number: str, action: str, body: dict | None = None) -> dict:
    answer = await console.intake.post(f"/v1/tickets/{number}/actions/{action}", json=body or {},
                                       headers=await console.token(username))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def closed_public_ticket(console) -> str:
    """A hotline report the caller let go public, handled by its unit and rated 满意."""
    created = await console.submit(public=True, contact=CALLER,
                                   content="江那镇建设路的路灯已经坏了一个星期，晚上走路很危险，欧阳女士反映。")
    number = created["number"]
    unit = (await assigned(console, number))["lead_unit"]
    await act(console, f"handler-{unit}", number, "sign")
    await act(console, f"handler-{unit}", number, "submit_completion", {"result": "已更换灯具 3 盏，恢复照明"})
    await act(console, f"leader-{unit}", number, "approve_completion")
    await act(console, "center-532622", number, "accept_completion")
    citizen = issue_token(Principal(str(uuid.uuid4()), Role.citizen, phone=CALLER["phone"]),
                          Settings().jwt_secret, 600)
    rated = await console.intake.post(f"/v1/tickets/{number}/evaluation", json={
        "resolved": True, "satisfaction": "satisfied"}, headers={"Authorization": f"Bearer {citizen}"})
    assert rated.json()["status"] == "closed", rated.text
    return number


async def test_the_center_publishes_a_closed_ticket_without_the_callers_name(console):
    number = await closed_public_ticket(console)
    await console.login("center-532622")
    ticket_page = await console.get(f"/tickets/{number}")
    assert f'href="/tickets/{number}/publish"' in ticket_page.text

    form = await console.get(f"/tickets/{number}/publish")
    assert form.status_code == 200 and "已更换灯具 3 盏" in form.text  # drafted from the result

    refused = await console.post(f"/tickets/{number}/publish", {
        "title": "建设路路灯不亮", "body": "欧阳秀英反映建设路路灯坏了一周。", "reply": "已更换灯具 3 盏"})
    assert refused.status_code == 422
    assert "含有个人信息（姓名）" in refused.text and 'class="field has-error"' in refused.text
    assert "建设路路灯不亮" in refused.text  # what was typed is kept

    done = await console.post(f"/tickets/{number}/publish", {
        "title": "建设路路灯不亮", "body": "市民反映江那镇建设路路灯坏了一周，夜间出行不便。",
        "reply": "城管部门已更换灯具 3 盏，恢复照明。"})
    assert done.status_code == 303
    assert "已公开为案例" in (await console.get(done.headers["location"])).text
    cases = (await console.intake.get("/v1/public/cases", params={"q": "路灯"})).json()
    [case] = [c for c in cases["items"] if c["title"] == "建设路路灯不亮"]
    shown = (await console.intake.get(f"/v1/public/cases/{case['id']}")).text
    assert CALLER["name"] not in shown and CALLER["phone"] not in shown


async def test_an_open_ticket_or_another_role_gets_no_publication_form(console):
    created = await console.submit(public=True)
    await assigned(console, created["number"])
    await console.login("center-532622")
    page = await console.get(f"/tickets/{created['number']}")
    assert "/publish" not in page.text
    form = await console.get(f"/tickets/{created['number']}/publish")
    assert "只有诉求人同意公开、且已办结归档的工单" in form.text and 'name="title"' not in form.text


async def test_in_the_browser_the_center_rewrites_and_publishes(browser, console_platform, console):
    number = await closed_public_ticket(console)
    center = await person(browser, console_platform, "center-532622")
    await center.page.goto(f"{center.base}/tickets/{number}")
    await center.page.click("text=公开为案例")
    await expect(center.page.locator("#p-reply")).to_have_value("已更换灯具 3 盏，恢复照明")
    await center.page.fill("#p-body", "市民来电反映江那镇建设路路灯坏了一周，夜间出行不便。")
    await center.page.fill("#p-title", "江那镇建设路路灯修复")
    await center.shot("publish-form")
    await center.page.click("button:has-text('公开为案例')")
    await expect(center.page.locator(".notice")).to_contain_text("已公开为案例：江那镇建设路路灯修复")
