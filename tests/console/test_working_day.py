"""One ticket's working day in a real browser: every role clicks through its own screens.

An agent records a call; it lands in the manual queue; the dispatcher dispatches it from
派单台; the town's handler signs, replies, uploads a photo and reports completion; the
leader approves; the center audits; the ticket shows 已办结 with its whole timeline.
A screenshot of each step is kept in tests/artifacts/console/.
"""

import re

import pytest
from playwright.async_api import Page, expect

from services.core.consumer import wait_until
from tests.console.conftest import ARTIFACTS
from tests.e2e.conftest import PASSWORD
from tests.media.samples import jpeg

pytestmark = pytest.mark.timeout(300)
TOWN = "532622100"  # 砚山县江那镇
# Nothing the classifier can place with confidence: the command center decides.
VAGUE = "我想反映一下我们小区门口的情况，说起来比较复杂，希望有关部门能来看看帮忙解决。"


class Person:
    """One staff member in a browser context of their own."""

    def __init__(self, page: Page, base: str, name: str):
        self.page, self.base, self.name = page, base, name

    async def login(self) -> None:
        await self.page.goto(f"{self.base}/login")
        await self.page.fill("#username", self.name)
        await self.page.fill("#password", PASSWORD)
        await self.page.click("button[type=submit]")
        await expect(self.page.locator(".who-name")).to_have_text(self.name)

    async def shot(self, step: str) -> None:
        await self.page.screenshot(path=str(ARTIFACTS / f"{step}.png"), full_page=True)

    async def act(self, number: str, label: str, fields: dict | None = None, files=None) -> None:
        """Open a ticket, press the action's button, fill its form and submit it."""
        await self.page.goto(f"{self.base}/tickets/{number}")
        await self.page.get_by_role("link", name=label, exact=True).click()
        form = self.page.locator("form.action-form")
        await expect(form).to_be_visible()
        for selector, value in (fields or {}).items():
            await form.locator(selector).fill(value)
        if files:
            await form.locator("input[type=file]").set_input_files(files)
        await form.locator("button[type=submit]").click()
        await expect(self.page.locator(".notice")).to_contain_text("已完成")


async def person(browser, platform, name: str) -> Person:
    context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                        viewport={"width": 1400, "height": 900})
    someone = Person(await context.new_page(), f"http://127.0.0.1:{platform['ports']['console']}", name)
    await someone.login()
    return someone


async def test_one_ticket_from_the_call_to_the_audit(browser, console_platform, console):
    agent = await person(browser, console_platform, "agent-532622")
    await agent.page.goto(f"{agent.base}/intake/new")
    await expect(agent.page.locator(".scope-notice")).to_contain_text("110")
    await agent.page.fill("#f-phone", "13987650009")
    await agent.page.fill("#f-name", "王女士")
    await agent.page.fill("#f-content", VAGUE)
    await agent.page.select_option("#f-region_code", "532622")
    await agent.page.fill("#f-address", "江那镇东风路 12 号小区门口")
    await agent.shot("1-agent-records-the-call")
    await agent.page.click("#call-form button[type=submit]")
    await expect(agent.page.locator(".notice")).to_contain_text("已登记工单")
    number = re.search(r"/tickets/([A-Za-z0-9-]+)", agent.page.url).group(1)
    await agent.shot("2-the-ticket-is-recorded")

    center = await person(browser, console_platform, "center-532622")

    async def in_manual_queue() -> bool:
        await center.page.goto(f"{center.base}/dispatch")
        return await center.page.locator(f"article[data-number='{number}']").count() == 1

    assert await wait_until(in_manual_queue, timeout=30), "the ticket never reached 派单台"
    item = center.page.locator(f"article[data-number='{number}']")
    await item.locator("summary").click()
    await item.locator("select[name=lead]").select_option(TOWN)
    await item.locator("select[name=category]").select_option("municipal")
    await center.shot("3-dispatcher-chooses-the-town")
    await item.locator(".dispatch-form button[type=submit]").click()
    await expect(center.page.locator(".notice")).to_contain_text(f"{number} 已派单")

    handler = await person(browser, console_platform, f"handler-{TOWN}")

    async def reached_the_town() -> bool:
        await handler.page.goto(f"{handler.base}/tickets/{number}")
        return await handler.page.get_by_role("link", name="签收", exact=True).count() == 1

    assert await wait_until(reached_the_town, timeout=30), "the town never got the ticket"
    await handler.shot("4-handler-sees-the-ticket")
    await handler.act(number, "签收")
    await handler.act(number, "阶段性答复", {"textarea[name=text]": "已联系王女士，明天上午到现场查看。"})
    photo = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    await handler.act(number, "提交办结报告",
                      {"textarea[name=result]": "已清理小区门口堆放的杂物，并与物业约定每日巡查。"},
                      files=[photo])
    await expect(handler.page.locator("img.photo")).to_have_count(1)
    await handler.shot("5-handler-reports-completion-with-a-photo")

    leader = await person(browser, console_platform, f"leader-{TOWN}")
    await leader.act(number, "单位审核通过")
    await leader.shot("6-leader-approves")

    await center.act(number, "审核办结")
    page = center.page
    await expect(page.locator(".head-tags .tag").first).to_have_text("已办结待评价")
    steps = await page.locator(".timeline .step-head strong").all_inner_texts()
    for step in ("提交诉求", "进入人工派单", "派单", "签收", "阶段性答复", "提交办结报告",
                 "单位审核通过", "审核办结"):
        assert step in steps, (step, steps)
    timeline = await page.locator(".timeline").inner_text()
    assert re.search(r"指挥中心 · 砚山县接诉即办指挥中心\s+派单至 砚山县江那镇（牵头）", timeline), timeline
    assert not re.search(r"[a-z_]{4,}", timeline), f"codes on the timeline: {timeline}"
    await center.shot("7-center-audits-and-the-ticket-is-done")
