"""知识库 over HTTP: the admin lists, searches, adds, corrects and removes answers; no one else may."""

import html
import re
import uuid

import pytest
from playwright.async_api import expect

from tests.console.test_working_day import person

pytestmark = pytest.mark.timeout(120)
ROWS = re.compile(r'<td class="title-cell"><a href="/knowledge/([0-9a-f-]{36})">([^<]*)</a>')
BODY = "携带本人身份证到县政务服务中心社保窗口办理，当场可取，电话 12333。"


def titles(page) -> list[str]:
    return [html.unescape(title) for _, title in ROWS.findall(page.text)]


def field(page, name: str) -> str:
    """The markup of one form field's block: its label, hint, message and control."""
    form = page.text.partition('class="panel knowledge-form"')[2].partition("</form>")[0]
    for block in re.split(r'(?=<div class="field[ "])', form):
        if f'<label for="f-{name}">' in block:
            return block
    raise AssertionError(f"no field {name} on the page")


async def test_the_admin_lists_pages_and_searches_the_seeded_answers(console):
    await console.login("admin")
    first = await console.get("/knowledge")
    assert first.status_code == 200
    assert '<a href="/knowledge" aria-current="page">知识库</a>' in first.text
    total = int(re.search(r"共 (\d+) 条", first.text).group(1))
    assert total >= 45 and len(titles(first)) == 20
    assert "全州通用" in first.text and 'href="/knowledge/new"' in first.text
    last_page = -(-total // 20)
    last = await console.get(f"/knowledge?page={last_page}")
    assert len(titles(last)) == total - 20 * (last_page - 1)
    assert not set(titles(last)) & set(titles(first))

    found = await console.get("/knowledge", params={"q": "社保卡补办"})
    assert "社保卡丢失或损坏后如何补办" in titles(found)
    assert "公租房如何申请，需要什么条件" not in titles(found)
    household = await console.get("/knowledge", params={"category": "policy.household"})
    assert "户口迁移需要准备什么材料" in titles(household)
    assert "社保卡丢失或损坏后如何补办" not in titles(household)
    assert '<option value="policy.household" selected>' in household.text


async def test_the_admin_adds_corrects_and_removes_an_answer(console):
    await console.login("admin")
    title = f"老年人优待证如何办理 {uuid.uuid4().hex[:6]}"
    await console.get("/knowledge/new")
    typed = {"title": "证", "category": "social_affairs.civil", "region": "532622",
             "keywords": "优待证，老年人 敬老卡", "body": BODY}
    refused = await console.post("/knowledge/new", typed)
    assert refused.status_code == 422
    title_field = field(refused, "title")
    assert "has-error" in title_field and "至少 2 个字符" in title_field and 'value="证"' in title_field
    assert "has-error" not in field(refused, "body") and BODY in field(refused, "body")
    assert '<option value="social_affairs.civil" selected>' in field(refused, "category")
    assert '<option value="532622" selected>' in field(refused, "region")
    assert 'value="优待证，老年人 敬老卡"' in field(refused, "keywords")
    assert '<a href="#f-title">标题：至少 2 个字符</a>' in refused.text

    created = await console.post("/knowledge/new", {**typed, "title": title})
    assert created.status_code == 303
    listed = await console.get(created.headers["location"])
    assert f"已保存「{title}」" in listed.text
    found = await console.get("/knowledge", params={"q": title, "region": "532622"})
    item_id = dict((t, i) for i, t in ROWS.findall(found.text))[title]
    assert "砚山县" in found.text

    form = await console.get(f"/knowledge/{item_id}")
    assert 'value="优待证 老年人 敬老卡"' in field(form, "keywords")
    assert 'data-confirm="确定删除「' in form.text
    changed = await console.post(f"/knowledge/{item_id}", {**typed, "title": title + "（更新）",
                                                          "region": "", "keywords": "优待证"})
    assert changed.status_code == 303
    assert f"已保存「{title}（更新）」" in (await console.get(changed.headers["location"])).text
    form = await console.get(f"/knowledge/{item_id}")
    assert f'value="{title}（更新）"' in field(form, "title")
    assert '<option value="">全州通用</option>' in field(form, "region")
    assert "selected" not in field(form, "region")

    deleted = await console.post(f"/knowledge/{item_id}/delete", {"saved_title": title + "（更新）"})
    assert deleted.status_code == 303
    assert f"已删除「{title}（更新）」" in (await console.get(deleted.headers["location"])).text
    gone = await console.get(f"/knowledge/{item_id}")
    assert gone.status_code == 404 and "知识条目不存在或已删除" in gone.text


async def test_a_change_that_empties_the_body_is_refused_and_the_answer_stays(console):
    await console.login("admin")
    found = await console.get("/knowledge", params={"q": "社保卡补办"})
    item_id = dict((t, i) for i, t in ROWS.findall(found.text))["社保卡丢失或损坏后如何补办"]
    form = await console.get(f"/knowledge/{item_id}")
    refused = await console.post(f"/knowledge/{item_id}", {
        "title": "社保卡丢失或损坏后如何补办", "category": "policy.social_insurance", "region": "",
        "keywords": "社保卡", "body": "去办"})
    assert refused.status_code == 422
    assert "至少 10 个字符" in field(refused, "body") and ">去办</textarea>" in field(refused, "body")
    assert field(await console.get(f"/knowledge/{item_id}"), "body") == field(form, "body")


async def test_a_dispatcher_gets_the_403_page(console):
    await console.login("center-532622")
    home = await console.get("/")
    assert 'href="/knowledge"' not in home.text
    for path in ("/knowledge", "/knowledge/new"):
        page = await console.get(path)
        assert page.status_code == 403 and "无权访问" in page.text, path
    refused = await console.post("/knowledge/new", {"title": "不该存在", "category": "policy",
                                                    "body": BODY})
    assert refused.status_code == 403
    await console.login("admin")
    assert titles(await console.get("/knowledge", params={"q": "不该存在"})) == []


async def test_in_the_browser_a_refusal_is_fixed_and_the_delete_asks_first(browser, console_platform):
    admin = await person(browser, console_platform, "admin")
    page = admin.page
    await page.get_by_role("link", name="知识库").click()
    await expect(page.locator(".pager")).to_contain_text("共")
    await admin.shot("knowledge-list")
    await page.get_by_role("link", name="新增").click()
    await page.fill("#f-title", "证")
    await page.select_option("#f-category", "social_affairs.civil")
    await page.fill("#f-keywords", "优待证 敬老卡")
    await page.fill("#f-body", BODY)
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator("#title-error")).to_have_text("至少 2 个字符")
    await expect(page.locator("#f-body")).to_have_value(BODY)
    await admin.shot("knowledge-refused")
    title = f"老年人优待证如何办理 {uuid.uuid4().hex[:6]}"
    await page.fill("#f-title", title)
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator(".notice")).to_have_text(f"已保存「{title}」")
    await page.fill("#f-q", title)
    await page.get_by_role("button", name="查询").click()
    await page.get_by_role("link", name=title).click()
    await admin.shot("knowledge-edit")
    delete = page.get_by_role("button", name="删除此条目")
    await delete.hover()  # a red button stays red under the pointer, only darker
    await expect(delete).to_have_css("background-color", "rgb(168, 37, 29)")
    asked = []

    async def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    await page.get_by_role("button", name="删除此条目").click()
    await expect(page.locator("#f-title")).to_have_value(title)  # dismissed: still there
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    await page.get_by_role("button", name="删除此条目").click()
    await expect(page.locator(".notice")).to_have_text(f"已删除「{title}」")
    assert len(asked) == 2 and title in asked[0]
