"""Each citizen screen over HTTP against the real platform: login, report, 我的诉求, 补充, 评价, refusals."""

import re

import pytest

from services.console.h5.public import names
from tests.h5.citizen import REPORT, TOWN, VAGUE, Citizen
from tests.media.samples import jpeg, m4a

pytestmark = pytest.mark.timeout(180)
NUMBER = re.compile(r"/m/tickets/([A-Za-z0-9]+)")


async def _logged_in(console_platform, phone: str) -> Citizen:
    citizen = Citizen(console_platform, phone)
    await citizen.login()
    return citizen


async def test_home_offers_the_hotline_and_every_entry_without_login(visitor):
    page = await visitor.get("/m/")
    assert page.status_code == 200
    assert 'href="tel:12345"' in page.text and "一键呼叫" in page.text
    for entry in ("我要反映", "我的诉求", "办件查询", "案例公开", "我要查询", "热门话题"):
        assert entry in page.text
    assert "h5_csrf" in page.headers.get("set-cookie", "")


async def test_pages_for_citizens_send_a_visitor_to_the_sms_login_and_back(visitor):
    for path in ("/m/report", "/m/tickets", "/m/tickets/WS1", "/m/me"):
        page = await visitor.get(path)
        assert page.status_code == 303 and page.headers["location"].startswith("/m/login?next=%2Fm%2F")


async def test_login_shows_each_mistake_next_to_its_field(console_platform):
    citizen = Citizen(console_platform, "13900000101")
    try:
        await citizen.get("/m/login")
        bad_phone = await citizen.post("/m/login", {"phone": "12345", "action": "send"})
        assert bad_phone.status_code == 400 and 'id="e-phone"' in bad_phone.text
        assert "请输入 11 位手机号码" in bad_phone.text
        since = len(console_platform["providers"].messages("aliyun"))
        sent = await citizen.post("/m/login", {"phone": citizen.phone, "action": "send"})
        assert 'id="f-code"' in sent.text
        wrong = await citizen.post("/m/login", {"phone": citizen.phone, "code": "000000", "step": "verify",
                                                "action": "verify"})
        assert wrong.status_code == 400 and 'id="e-code"' in wrong.text and "验证码错误" in wrong.text
        again = await citizen.post("/m/login", {"phone": citizen.phone, "step": "verify", "action": "send"})
        assert "每分钟只能获取一次" in again.text and 'id="f-code"' in again.text  # the code sent still counts
        code = await citizen.sms_code(since)
        done = await citizen.post("/m/login", {"phone": citizen.phone, "code": code, "step": "verify",
                                               "action": "verify", "next": "/m/tickets"})
        assert done.status_code == 303 and done.headers["location"] == "/m/tickets"
        assert "h5_session" in done.headers["set-cookie"] and "Path=/m" in done.headers["set-cookie"]
        me = await citizen.get("/m/me")
        assert "139****0101" in me.text and citizen.phone not in me.text
    finally:
        await citizen.close()


async def test_login_never_goes_on_to_another_site(console_platform):
    citizen = Citizen(console_platform, "13900000102")
    try:
        done = await citizen.login("https://evil.example/m/")
        assert done.headers["location"] == "/m/"
    finally:
        await citizen.close()


async def test_a_report_with_a_photo_lands_in_my_tickets(console_platform):
    citizen = await _logged_in(console_platform, "13900000103")
    try:
        form = await citizen.get("/m/report")
        assert "受理范围告知" in form.text and "110" in form.text and 'name="idempotency_key"' in form.text
        assert "error-summary" not in form.text and "Macro" not in form.text
        sent = await citizen.report(title="平远镇集镇垃圾无人清运", public="yes", anonymous="on",
                                    files=[("photo", ("site.jpg", jpeg(), "image/jpeg")),
                                           ("voice", ("voice.m4a", m4a(), "audio/mp4"))])
        assert sent.status_code == 303, sent.text
        number = NUMBER.search(sent.headers["location"]).group(1)
        page = await citizen.get(sent.headers["location"])
        assert "提交成功" in page.text and number in page.text and REPORT in page.text
        assert "同意公开" in page.text and "对承办单位匿名" in page.text
        assert 'class="photo"' in page.text and "<audio" in page.text
        assert "流程跟踪" in page.text and "提交诉求" in page.text
        mine = await citizen.get("/m/tickets")
        assert f"/m/tickets/{number}" in mine.text and "平远镇集镇垃圾无人清运" in mine.text
    finally:
        await citizen.close()


async def test_a_double_tap_sends_one_report(console_platform):
    citizen = await _logged_in(console_platform, "13900000104")
    try:
        first = await citizen.report(key="tap-twice-1")
        second = await citizen.report(key="tap-twice-1")
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"]
        mine = await citizen.get("/m/tickets")
        assert len(re.findall(r'href="/m/tickets/[A-Za-z0-9]+"', mine.text)) == 1
    finally:
        await citizen.close()


async def test_a_refused_report_keeps_what_was_typed_and_says_why_beside_each_field(console_platform):
    citizen = await _logged_in(console_platform, "13900000105")
    try:
        mine = await citizen.report(region_code="", name="", scope_ok="", title="标" * 51,
                                    content="<script>alert(1)</script>门口")
        assert mine.status_code == 422 and "请按提示修改后再提交" in mine.text
        for field in ("region_code", "name", "scope_ok", "title"):
            assert f'id="e-{field}"' in mine.text, field
        assert "请选择反映事项所在的县（市）" in mine.text and "请阅读受理范围并勾选确认" in mine.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;门口" in mine.text and "<script>alert(1)" not in mine.text
        theirs = await citizen.report(region_code="999999", content="")
        assert theirs.status_code == 422 and "error-summary" in theirs.text
        assert 'id="e-content"' in theirs.text or 'id="e-region_code"' in theirs.text
        assert (await citizen.get("/m/tickets")).text.count('href="/m/tickets/') == 0
    finally:
        await citizen.close()


async def test_what_a_citizen_typed_is_shown_as_text_never_as_markup(console_platform):
    citizen = await _logged_in(console_platform, "13900000106")
    try:
        sent = await citizen.report(title='<img src=x onerror="alert(1)">', address="<b>街</b>")
        assert sent.status_code == 303, sent.text
        page = await citizen.get(sent.headers["location"])
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text and "<img src=x" not in page.text
        assert "&lt;b&gt;街&lt;/b&gt;" in page.text
    finally:
        await citizen.close()


async def test_forms_without_this_browsers_csrf_token_are_refused(console_platform):
    citizen = await _logged_in(console_platform, "13900000107")
    try:
        for path, form in (("/m/report", {"content": REPORT, "region_code": "532622"}),
                           ("/m/login", {"phone": "13900000107", "action": "send"}),
                           ("/m/tickets/WS1/evaluation", {"resolved": "yes"}),
                           ("/m/logout", {})):
            refused = await citizen.http.post(path, data={**form, "csrf_token": "forged"})
            assert refused.status_code == 403 and "页面已过期" in refused.text, path
        assert (await citizen.get("/m/tickets")).text.count('href="/m/tickets/') == 0
    finally:
        await citizen.close()


async def test_a_citizen_never_sees_anothers_ticket(console_platform):
    owner = await _logged_in(console_platform, "13900000108")
    other = await _logged_in(console_platform, "13900000109")
    try:
        sent = await owner.report()
        page = await other.get(sent.headers["location"].split("?")[0])
        assert page.status_code == 404 and REPORT not in page.text
    finally:
        await owner.close()
        await other.close()


async def test_lookup_by_number_and_the_phones_last_four(console_platform, visitor):
    citizen = await _logged_in(console_platform, "13900000110")
    try:
        number = NUMBER.search((await citizen.report()).headers["location"]).group(1)
        found = await visitor.get("/m/lookup", params={"number": number, "phone_tail": "0110"})
        assert found.status_code == 200 and 'id="result"' in found.text and "提交诉求" in found.text
        assert "13900000110" not in found.text
        wrong = await visitor.get("/m/lookup", params={"number": number, "phone_tail": "9999"})
        assert wrong.status_code == 400 and "未查到该诉求" in wrong.text and 'id="result"' not in wrong.text
        bad = await visitor.get("/m/lookup", params={"number": "<x>", "phone_tail": "12"})
        assert 'id="e-number"' in bad.text and 'id="e-phone_tail"' in bad.text
    finally:
        await citizen.close()


async def test_a_ticket_marked_pending_info_is_supplemented_from_its_page(console_platform, staff):
    citizen = await _logged_in(console_platform, "13900000111")
    try:
        sent = await citizen.report(content=VAGUE, town_code="")
        number = NUMBER.search(sent.headers["location"]).group(1)
        await staff.until(number, lambda t: any(e["action"] == "queue" for e in t["timeline"]))
        await staff.act("center-532622", number, "request_info", {"missing": "请补充具体地址和现场照片"})
        page = await citizen.get(f"/m/tickets/{number}")
        assert "补充材料" in page.text and "请补充具体地址和现场照片" in page.text
        empty = await citizen.post(f"/m/tickets/{number}/supplement", {"content": ""})
        assert empty.status_code == 422 and 'id="e-content"' in empty.text
        done = await citizen.post(f"/m/tickets/{number}/supplement",
                                  {"content": "地址是砚山县江那镇东风路 12 号小区门口"},
                                  files={"photo": ("more.jpg", jpeg(), "image/jpeg")})
        assert done.status_code == 303, done.text
        ticket = await staff.ticket(number)
        assert ticket["status"] != "pending_info" and len(ticket["media_ids"]) == 1
    finally:
        await citizen.close()


async def test_evaluation_needs_an_answer_and_unsatisfied_reopens(console_platform, staff):
    citizen = await _logged_in(console_platform, "13900000112")
    try:
        number = NUMBER.search((await citizen.report()).headers["location"]).group(1)
        await staff.resolve(number, TOWN)
        page = await citizen.get(f"/m/tickets/{number}")
        assert "办理结果评价" in page.text and 'value="satisfied" checked' in page.text
        missing = await citizen.post(f"/m/tickets/{number}/evaluation", {"satisfaction": "satisfied"})
        assert missing.status_code == 422 and 'id="e-resolved"' in missing.text
        done = await citizen.post(f"/m/tickets/{number}/evaluation",
                                  {"resolved": "no", "satisfaction": "unsatisfied", "comment": "又堆起来了"})
        assert done.status_code == 303
        page = await citizen.get(done.headers["location"])
        assert "重新交办" in page.text and "不满意" in page.text
        assert (await staff.ticket(number))["status"] == "in_progress"
    finally:
        await citizen.close()


async def test_the_link_in_the_citizens_sms_opens_the_tickets_page(console_platform, staff, visitor):
    citizen = await _logged_in(console_platform, "13900000113")
    try:
        number = NUMBER.search((await citizen.report()).headers["location"]).group(1)
        text = await staff.citizen_sms(number, "ticket.accepted")
        link = re.search(r"(http://\S+/m/tickets/[A-Za-z0-9]+)", text).group(1)
        assert link == f"http://127.0.0.1:{console_platform['ports']['console']}/m/tickets/{number}"
        page = await citizen.get(link)  # on the phone that reported it: the page at once
        assert page.status_code == 200 and number in page.text and "流程跟踪" in page.text
        elsewhere = await visitor.get(link)  # logged out: the SMS login first, then back here
        assert elsewhere.headers["location"] == f"/m/login?next=%2Fm%2Ftickets%2F{number}"
    finally:
        await citizen.close()


def test_a_town_is_named_once_with_its_county():
    config = {"counties": [{"code": "532622", "name": "砚山县", "towns": [
        {"code": "532622101", "name": "砚山县平远镇"}, {"code": "532622100", "name": "江那镇"}]}],
        "categories": [{"code": "env", "name": "环境卫生", "children": [{"code": "env.dump", "name": "垃圾"}]}]}
    assert names(config) == {"532622": "砚山县", "532622101": "砚山县平远镇", "532622100": "砚山县江那镇",
                             "env": "环境卫生", "env.dump": "环境卫生 / 垃圾"}
