"""A citizen's phone in a real browser (390×844): SMS login, a report with a photo and a map pin,
我的诉求, then — once the staff side has resolved it through the API — 不满意 reopens it.

Screenshots of each step go to tests/artifacts/h5/.
"""

import io
import re

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.h5.citizen import ARTIFACTS, REPORT, TOWN, sms_code
from tests.media.samples import m4a

pytestmark = pytest.mark.timeout(300)
PHONE = "13900000201"
WHERE = {"latitude": 23.5873, "longitude": 104.2211}  # 平远镇, as the phone's GPS says


def big_photo() -> bytes:
    """A 3000×2000 camera-sized JPEG: the page must shrink it before it is uploaded."""
    image = Image.new("RGB", (3000, 2000))
    image.putdata([((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256)
                   for y in range(2000) for x in range(3000)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_a_citizen_reports_from_a_phone_and_reopens_an_unsatisfying_result(
        browser, console_platform, staff):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                        has_touch=True, viewport={"width": 390, "height": 844},
                                        geolocation=WHERE, permissions=["geolocation"])
    page = await context.new_page()
    base = f"http://127.0.0.1:{console_platform['ports']['console']}"

    async def shot(step: str) -> None:
        await page.screenshot(path=str(ARTIFACTS / f"{step}.png"), full_page=True)

    await page.goto(f"{base}/m/")
    await expect(page.locator("a.call")).to_have_attribute("href", "tel:12345")
    await shot("1-home")

    await page.get_by_role("link", name="我要反映").first.click()
    await expect(page).to_have_url(re.compile(r"/m/login\?next="))
    await page.fill("#f-phone", PHONE)
    since = len(console_platform["providers"].messages("aliyun"))
    await page.get_by_role("button", name="获取验证码").click()
    await expect(page.locator(".notice")).to_contain_text("验证码已发送")
    await shot("2-login-code-sent")
    await page.fill("#f-code", await sms_code(console_platform["providers"], PHONE, since))
    await page.get_by_role("button", name="登录", exact=True).click()
    await expect(page).to_have_url(f"{base}/m/report")

    original = big_photo()
    await page.fill("#f-title", "平远镇集镇垃圾一周无人清运")
    await page.fill("#f-content", REPORT)
    await page.set_input_files("#f-photo", files=[{"name": "camera.jpg", "mimeType": "image/jpeg",
                                                   "buffer": original}])
    await expect(page.locator("#photo-list .upload-done img")).to_have_count(1, timeout=30_000)
    await page.set_input_files("#f-voice", files=[{"name": "voice.m4a", "mimeType": "audio/mp4", "buffer": m4a()}])
    await expect(page.locator("#f-voice ~ .upload-done")).to_contain_text("已上传语音", timeout=30_000)
    await page.select_option("#f-region_code", "532622")
    await expect(page.locator(f"#f-town_code option[value='{TOWN}']")).to_have_count(1)
    await expect(page.locator("#f-town_code option[value='532621100']")).to_have_count(0)
    await page.select_option("#f-town_code", TOWN)
    await page.get_by_role("button", name="定位").click()
    await expect(page.locator("#pin-text")).to_contain_text("已选位置：23.587300, 104.221100")
    await page.locator("#map").click(position={"x": 200, "y": 120})  # tiles offline: a tap still pins
    await expect(page.locator("#pin-text")).not_to_contain_text("23.587300, 104.221100")
    pinned = float(await page.input_value("#f-lat")), float(await page.input_value("#f-lng"))
    assert abs(pinned[0] - WHERE["latitude"]) < 0.01 and abs(pinned[1] - WHERE["longitude"]) < 0.01
    await expect(page.locator("#nearby")).not_to_be_empty()
    await page.fill("#f-address", "平远镇集镇中心街菜市场旁")
    await page.fill("#f-name", "张先生")
    await page.check("#f-scope_ok")
    await shot("3-report-filled")
    await page.get_by_role("button", name="提交诉求").click()
    await expect(page.locator(".notice")).to_contain_text("提交成功")
    number = re.search(r"/m/tickets/([A-Za-z0-9]+)", page.url).group(1)
    await shot("4-report-sent")

    ticket = await staff.ticket(number)
    assert (ticket["location"]["lat"], ticket["location"]["lng"]) == pytest.approx(pinned, abs=1e-6)
    assert ticket["location"]["town_code"] == TOWN
    photo, voice = ticket["media_ids"]
    stored = (await staff.media.get(f"/v1/media/{photo}", headers=await staff.token("center-532622"))).json()
    assert stored["kind"] == "image" and stored["size"] < len(original) / 2  # compressed in the browser

    await page.get_by_role("link", name="我的诉求").last.click()
    await expect(page.locator(f"a[href='/m/tickets/{number}']")).to_be_visible()
    await shot("5-my-tickets")

    await staff.resolve(number, TOWN)
    await page.goto(f"{base}/m/tickets/{number}")
    evaluation = page.locator("#evaluate")
    await expect(evaluation).to_be_visible()
    await expect(evaluation.locator("input[value=satisfied]")).to_be_checked()  # 默认满意
    await evaluation.get_by_label("否").check()
    await evaluation.get_by_label("不满意").check()
    await evaluation.locator("#f-comment").fill("第二天垃圾又堆起来了")
    await shot("6-evaluate")
    await evaluation.get_by_role("button", name="提交评价").click()
    await expect(page.locator(".notice")).to_contain_text("重新交办")
    await expect(page.locator("#basic .tag")).to_have_text("办理中")
    await expect(page.locator("#track")).to_contain_text("重新办理")
    await expect(page.locator("#track")).not_to_contain_text(TOWN)  # units by name, not code
    await shot("7-reopened")
    assert (await staff.ticket(number))["status"] == "in_progress"

    await page.get_by_role("link", name="我的", exact=True).click()
    await expect(page.locator(".who-phone")).to_have_text("139****0201")
    await shot("8-me")
    await page.goto(f"{base}/m/lookup?number={number}&phone_tail=0201")
    await expect(page.locator("#result")).to_contain_text(number)
    await shot("9-lookup")
    await context.close()

