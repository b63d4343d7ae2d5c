"""What changes on screen without a reload: the dashboard's counts, the agent's suggestions."""

import pytest
from playwright.async_api import expect

from tests.console.test_working_day import VAGUE, person

pytestmark = pytest.mark.timeout(120)


async def test_the_dashboard_counts_refresh_on_their_own(browser, console_platform, console):
    center = await person(browser, console_platform, "center-532622")
    count = center.page.locator(".count-card[data-key=submitted] .count-number")
    before = int(await count.inner_text())
    await console.submit(content=VAGUE, title="小区门口的情况")
    # htmx asks again every 15 s: the new ticket shows within that, with no reload.
    await expect(count).to_have_text(str(before + 1), timeout=25_000)
    assert center.page.url.endswith("/")
    await center.shot("dashboard-refreshed")


async def test_the_agent_gets_category_suggestions_while_typing(browser, console_platform):
    agent = await person(browser, console_platform, "agent-532622")
    await agent.page.goto(f"{agent.base}/intake/new")
    await agent.page.select_option("#f-region_code", "532622")
    await agent.page.locator("#f-content").press_sequentially("小区楼下的烧烤摊每天晚上噪音很大，油烟也很重",
                                                             delay=20)
    suggestion = agent.page.locator("#suggestions [data-pick-category]").first
    await expect(suggestion).to_be_visible(timeout=10_000)
    await suggestion.click()
    picked = await agent.page.locator("#f-category").input_value()
    assert picked and picked == await suggestion.get_attribute("data-pick-category")
    await agent.shot("agent-suggestions")


async def test_the_agent_sees_the_knowledge_bases_answer_for_a_question(browser, console_platform):
    agent = await person(browser, console_platform, "agent-532622")
    await agent.page.goto(f"{agent.base}/intake/new")
    await agent.page.select_option("#f-region_code", "532622")
    await agent.page.locator("#f-content").press_sequentially("来电人的社保卡丢了，想问一下怎么补办", delay=20)
    answer = agent.page.locator("#suggestions .knowledge-list details").first
    await expect(answer.locator("summary")).to_have_text("社保卡丢失或损坏后如何补办", timeout=10_000)
    await answer.locator("summary").click()
    await expect(answer.locator(".knowledge-body")).to_contain_text("12333")
    await agent.shot("agent-knowledge")
