"""Without JavaScript, on a 360-px phone: every page reads, and a form still posts and says what is wrong.

Screenshots go to tests/artifacts/h5/ (nojs-*.png).
"""

import pytest
from playwright.async_api import expect

from tests.h5.citizen import ARTIFACTS, sms_code

pytestmark = pytest.mark.timeout(180)
PHONE = "13900000202"


async def test_the_pages_read_and_the_report_form_posts_without_javascript(browser, console_platform):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", java_script_enabled=False,
                                        viewport={"width": 360, "height": 740})
    page = await context.new_page()
    base = f"http://127.0.0.1:{console_platform['ports']['console']}"

    for name, path, text in (("home", "/m/", "一键呼叫"), ("cases", "/m/cases", "搜索"),
                             ("knowledge", "/m/knowledge", "热门话题")):
        await page.goto(base + path)
        await expect(page.locator("main")).to_contain_text(text)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        await page.screenshot(path=str(ARTIFACTS / f"nojs-{name}.png"), full_page=True)

    await page.goto(f"{base}/m/lookup")
    await page.fill("#f-number", "WS1")
    await page.fill("#f-phone_tail", "12")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#e-phone_tail")).to_contain_text("后 4 位")
    await page.screenshot(path=str(ARTIFACTS / "nojs-lookup-error.png"), full_page=True)

    await page.goto(f"{base}/m/report")
    await page.fill("#f-phone", PHONE)
    since = len(console_platform["providers"].messages("aliyun"))
    await page.get_by_role("button", name="获取验证码").click()
    await page.fill("#f-code", await sms_code(console_platform["providers"], PHONE, since))
    await page.get_by_role("button", name="登录", exact=True).click()
    await expect(page).to_have_url(f"{base}/m/report")
    await expect(page.locator("#map")).to_be_hidden()  # no map without its script; the form still works
    await expect(page.locator("#locate")).to_be_hidden()
    await page.fill("#f-content", "门口路灯坏了")
    await page.get_by_role("button", name="提交诉求").click()
    await expect(page.locator(".error-summary")).to_contain_text("请按提示修改后再提交")
    await expect(page.locator("#e-region_code")).to_contain_text("县（市）")
    await expect(page.locator("#e-scope_ok")).to_be_visible()
    await expect(page.locator("#f-content")).to_have_value("门口路灯坏了")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(ARTIFACTS / "nojs-report-errors.png"), full_page=True)
    await context.close()


async def test_knowledge_reads_on_a_phone(browser, console_platform):
    context = await browser.new_context(locale="zh-CN", java_script_enabled=False,
                                        viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{console_platform['ports']['console']}/m/knowledge")
    await page.get_by_role("link", name="社保", exact=True).first.click()
    await expect(page.locator(".cards .card").first).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "nojs-knowledge-search.png"), full_page=True)
    await page.locator(".cards .card a").first.click()
    await expect(page.locator("h1")).to_have_text("知识详情")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(ARTIFACTS / "nojs-knowledge-item.png"), full_page=True)
    await context.close()
