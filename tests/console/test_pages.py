"""Each screen for each role over HTTP against the real services: who sees what, and how it reads."""

import re

import pytest

from services.core.consumer import wait_until

pytestmark = pytest.mark.timeout(180)
UTC_TRACES = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00|T\d{2}:\d{2}")


async def assigned(console, number: str) -> dict:
    """The ticket once routing has given it a lead unit (polled, with a deadline)."""
    headers = await console.token("center-532622")
    seen = {}

    async def has_lead() -> bool:
        seen["ticket"] = (await console.intake.get(f"/v1/tickets/{number}", headers=headers)).json()
        return bool(seen["ticket"].get("lead_unit"))

    assert await wait_until(has_lead, timeout=30), seen
    return seen["ticket"]


async def test_a_visitor_is_sent_to_login_and_back_to_where_they_were(console):
    response = await console.get("/tickets?status=submitted")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ftickets%3Fstatus%3Dsubmitted"
    page = await console.get(response.headers["location"])
    assert "工作人员登录" in page.text and 'name="username"' in page.text
    await console.get("/login")
    logged_in = await console.post("/login", {"username": "center-532622", "password": "e2e-password",
                                              "next": "/tickets?status=submitted"})
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/tickets?status=submitted"
    cookie = logged_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


async def test_a_wrong_password_is_said_next_to_the_field(console):
    response = await console.login("center-532622", "not-the-password")
    assert response.status_code == 400
    assert '<p class="field-error">用户名或密码错误</p>' in response.text
    assert 'value="center-532622"' in response.text  # what was typed stays


async def test_login_never_sends_anyone_to_another_site(console):
    await console.get("/login")
    response = await console.post("/login", {"username": "center-532622", "password": "e2e-password",
                                             "next": "//evil.example/steal"})
    assert response.headers["location"] == "/"


async def test_a_form_without_the_csrf_token_is_refused(console):
    await console.login("center-532622")
    response = await console.http.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403 and "页面已过期" in response.text
    assert (await console.get("/")).status_code == 200  # still logged in


async def test_an_expired_session_goes_to_login_and_comes_back(console):
    console.http.cookies.set("hotline_session", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad")
    response = await console.get("/dispatch")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fdispatch"


@pytest.mark.parametrize(("username", "words"), [
    ("center-532622", ["待受理", "待派单", "退件申请", "延期申请", "待审核"]),
    ("handler-532622100", ["待签收", "办理中", "即将超期", "已超期", "待领导审核", "退回重办"]),
    ("leader-532622100", ["待签收", "待领导审核"]),
])
async def test_the_dashboard_shows_what_each_role_must_do(console, username, words):
    await console.login(username)
    page = await console.get("/")
    assert page.status_code == 200
    for word in words:
        assert f'<span class="count-label">{word}</span>' in page.text
    assert 'hx-trigger="every 15s"' in page.text
    for rate in ("响应率", "按时办结率", "解决率", "满意率"):  # this month's three rates (and 满意率)
        assert f'<div class="rate-label">{rate}</div>' in page.text
    fragment = await console.get("/dashboard/counts", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "count-card" in fragment.text


@pytest.mark.parametrize(("username", "path", "status"), [
    ("center-532622", "/dispatch", 200),
    ("handler-532622100", "/dispatch", 403),
    ("agent-532622", "/intake/new", 200),
    ("handler-532622100", "/intake/new", 403),
    ("leader-532622-police", "/tickets", 200),
    ("supervisor-532622", "/tickets", 200),
])
async def test_each_screen_opens_for_its_roles_only(console, username, path, status):
    await console.login(username)
    page = await console.get(path)
    assert page.status_code == status
    if status == 403:
        assert "无权访问" in page.text and "Traceback" not in page.text


async def test_a_ticket_reads_in_chinese_and_beijing_time(console):
    created = await console.submit()
    await assigned(console, created["number"])
    await console.login("center-532622")
    page = await console.get(f"/tickets/{created['number']}")
    assert page.status_code == 200
    text = page.text
    assert "12345热线" in text and "砚山县" in text and "江那镇" in text and "投诉" in text
    assert "流程跟踪" in text and "提交诉求" in text and "派单" in text
    assert not UTC_TRACES.search(re.sub(r"<[^>]+>", " ", text)), "times must print as 2026-12-01 09:30"
    assert "hotline" not in re.sub(r"<[^>]+>", " ", text)  # codes never show


async def test_content_is_escaped(console):
    created = await console.submit(content="<script>alert('x')</script> 路灯不亮", title="<b>标题</b>")
    await console.login("center-532622")
    page = await console.get(f"/tickets/{created['number']}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;标题&lt;/b&gt;" in page.text


async def test_a_handler_cannot_open_another_units_ticket(console):
    created = await console.submit()
    ticket = await assigned(console, created["number"])
    other = "handler-532622-police" if ticket["lead_unit"] != "532622-police" else "handler-532622101"
    await console.login(other)
    page = await console.get(f"/tickets/{created['number']}")
    assert page.status_code == 404 and "不在您的办理范围内" in page.text
    await console.get("/login")
    listed = await console.get("/tickets", params={"q": created["number"]})
    assert f'href="/tickets/{created["number"]}"' not in listed.text
    assert "没有符合条件的工单" in listed.text


async def test_an_anonymous_callers_contact_stays_hidden_from_the_unit(console):
    created = await console.submit(anonymous=True, contact={"name": "李女士", "phone": "13987650003"})
    ticket = await assigned(console, created["number"])
    await console.login(f"handler-{ticket['lead_unit']}")
    page = await console.get(f"/tickets/{created['number']}")
    assert page.status_code == 200
    assert "13987650003" not in page.text and "李女士" not in page.text
    assert "匿名诉求人，联系方式已隐藏" in page.text


async def test_a_refused_action_says_why_in_place_and_keeps_the_text(console):
    created = await console.submit()
    ticket = await assigned(console, created["number"])
    await console.login(f"handler-{ticket['lead_unit']}")
    await console.get(f"/tickets/{created['number']}")
    # Not signed yet: an interim reply is refused by the process table, with intake's words.
    response = await console.post(f"/tickets/{created['number']}/act/reply",
                                  {"text": "已安排人员现场查看", "label": "阶段性答复"},
                                  headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "当前状态" in response.text or "无权" in response.text
    assert "已安排人员现场查看" in response.text
    assert "<html" not in response.text


async def test_an_empty_required_field_is_named_next_to_it(console):
    created = await console.submit()
    await console.login("center-532622")
    await console.get(f"/tickets/{created['number']}")
    response = await console.post(f"/tickets/{created['number']}/act/request_info",
                                  {"missing": "", "label": "要求补充完善"})
    assert response.status_code == 422
    assert '<p class="field-error">' in response.text


async def test_static_files_carry_their_hash_and_are_cached_for_a_year(console):
    page = await console.get("/login")
    href = re.search(r'href="(/static/console\.css\?v=[0-9a-f]{12})"', page.text).group(1)
    css = await console.get(href)
    assert css.status_code == 200 and "max-age=31536000" in css.headers["cache-control"]
    htmx = re.search(r'src="(/static/vendor/htmx\.min\.js\?v=[0-9a-f]{12})"', page.text).group(1)
    assert (await console.get(htmx)).status_code == 200


async def test_an_unknown_page_is_a_chinese_page_not_a_trace(console):
    await console.login("center-532622")
    for path in ("/no-such-page", "/tickets/WS../../x", "/tickets/NOPE123"):
        page = await console.get(path)
        assert page.status_code == 404 and "Traceback" not in page.text
        assert "未找到" in page.text or "页面不存在" in page.text


async def test_filters_narrow_the_list_and_stay_in_the_url(console):
    urgent = await console.submit(urgency="urgent", title="紧急：燃气管道漏气")
    calm = await console.submit(title="路边绿化带杂草太多")
    await console.login("center-532622")
    page = await console.get("/tickets", params={"urgency": "urgent"})
    assert f'href="/tickets/{urgent["number"]}"' in page.text
    assert f'href="/tickets/{calm["number"]}"' not in page.text
    assert '<option value="urgent" selected>' in page.text  # the filter shows as chosen
    fragment = await console.get("/tickets", params={"q": calm["number"]}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and f'href="/tickets/{calm["number"]}"' in fragment.text


async def test_a_filter_the_search_refuses_is_said_next_to_it(console):
    await console.login("center-532622")
    page = await console.get("/tickets", params={"q": "路"})  # too short to search for
    assert page.status_code == 200
    assert '<div class="filter wide has-error">' in page.text and 'class="field-error"' in page.text


async def test_pages_go_on_with_a_cursor(console):
    await console.login("agent-532622")
    for _ in range(21):
        await console.submit(title="翻页用的工单")
    first = await console.get("/tickets", params={"q": "翻页用的工单"})
    assert first.text.count('<td class="title-cell">') == 20
    link = first.text.split('class="btn small" href="/tickets?')[-1].split('"')[0].replace("&amp;", "&")
    assert "after=" in link
    second = await console.get(f"/tickets?{link}")
    assert 1 <= second.text.count('<td class="title-cell">') <= 20
    assert "第一页" in second.text
