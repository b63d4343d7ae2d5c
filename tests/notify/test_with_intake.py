"""End to end with intake's app: a citizen logs in with the code notify texted, and hears back."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from services.core.auth import Role
from services.core.consumer import wait_until
from services.core.testing import running
from services.intake.app import create_app as create_intake
from services.intake.directory import KNOWN
from services.intake.models import names
from services.intake.settings import IntakeSettings
from services.notify.models import tickets
from services.notify.policy import SHANGHAI
from tests.directory import announce, unit_event
from tests.intake.sms import SECRET, send_sms
from tests.notify.world import all_sent, phone, rows_until, staff_headers


@pytest.fixture(scope="module")
async def intake(settings, notify):
    async with running(create_intake(settings.model_copy(update={"db_pool_size": 5}))) as client:
        yield client


async def test_a_citizen_logs_in_with_the_texted_code_and_hears_the_ticket_accepted(
    intake, world, db, fake, settings, clock
):
    clock.offset = timedelta(0)  # intake stamps its events with the real time
    number = phone()
    assert (await intake.post("/v1/auth/sms-code", json={"phone": number})).status_code == 202
    [code_row] = await rows_until(db, all_sent(1), recipient=number, template="auth.code_requested")
    [sms] = [m for m in fake.sent if m.to == number and m.template == "SMS_AUTH_CODE"]

    login = await intake.post(
        "/v1/auth/citizen-token", json={"phone": number, "code": sms.params["code"]}
    )
    assert login.status_code == 200, login.text
    citizen = {"Authorization": f"Bearer {login.json()['access_token']}"}
    county = await world.county()
    await announce(db, names, [unit_event(county["region"], "测试县", "county", county["region"])], KNOWN)
    body = {
        "channel": "miniprogram",
        "type": "complaint",
        "urgency": "normal",
        "content": "东风路小区门口垃圾长期堆放无人清运，气味难闻。",
        "location": {"region_code": county["region"], "address": "东风路 1 号"},
        "contact": {"name": "李女士"},
        "anonymous": False,
        "public": True,
    }
    submitted = await intake.post("/v1/tickets", json=body, headers=citizen)
    assert submitted.status_code == 201, submitted.text
    ticket = submitted.json()["number"]

    dispatcher = staff_headers(settings.jwt_secret, Role.dispatcher, county["region"])
    accepted = await intake.post(
        f"/v1/tickets/{ticket}/actions/accept", json={}, headers=dispatcher
    )
    morning = datetime.now(SHANGHAI).replace(hour=10, minute=0)
    clock.set(
        morning if morning > datetime.now(SHANGHAI) else morning + timedelta(days=1)
    )  # after any quiet hours

    assert accepted.status_code == 200, accepted.text
    [row] = await rows_until(db, all_sent(1), ticket_number=ticket, template="ticket.accepted")
    assert row["recipient"] == number and ticket in row["text"]
    assert code_row["text"].count("*") >= 6  # the code itself is not kept


async def test_an_inbound_sms_lacking_fields_is_answered_with_what_is_missing(
    notify, world, db, fake, settings, clock
):
    clock.offset = timedelta(0)
    morning = datetime.now(SHANGHAI).replace(hour=10, minute=0)
    clock.set(morning if morning > datetime.now(SHANGHAI) else morning + timedelta(days=1))
    county = await world.county()  # where an SMS naming no county is filed
    await announce(db, names, [unit_event(county["region"], "测试县", "county", county["region"])], KNOWN)
    own = IntakeSettings(sms_inbound_secret=SECRET, sms_settle_seconds=0.3, sms_poll_seconds=0.1,
                         sms_default_region=county["region"])
    app = create_intake(settings.model_copy(update={"db_pool_size": 3}), own)
    sender = phone()
    async with running(app) as gateway:
        assert (await send_sms(gateway, sender, "路口红绿灯坏了好几天了，很危险")).status_code == 202
        [row] = await rows_until(db, all_sent(1), recipient=sender, template="ticket.info_requested")

    [sms] = [m for m in fake.sent if m.to == sender and m.template == "SMS_TICKET_INFO_REQUESTED"]
    assert sms.params["missing"] == "姓名、住址、身份证号"
    assert "需补充：姓名、住址、身份证号" in row["text"]


async def test_after_a_wechat_login_the_citizens_earlier_ticket_is_answered_by_wechat(
    notify, world, db, fake, settings, clock
):
    clock.offset = timedelta(0)
    own = IntakeSettings(wechat_api_base=fake.base_url, wechat_appid=fake.wechat_appid,
                         wechat_secret=fake.wechat_secret)
    number, county = phone(), await world.county()
    await announce(db, names, [unit_event(county["region"], "测试县", "county", county["region"])], KNOWN)
    async with running(create_intake(settings.model_copy(update={"db_pool_size": 3}), own)) as intake:
        channel = staff_headers(settings.jwt_secret, Role.agent, county["region"])
        body = {"channel": "hotline", "type": "complaint", "content": "东风路路灯不亮，晚上很黑。",
                "location": {"region_code": county["region"]}, "contact": {"name": "李女士", "phone": number}}
        ticket = (await intake.post("/v1/tickets", json=body, headers=channel)).json()["number"]
        login_code = fake.login.login_code()
        login = await intake.post("/v1/auth/wechat", json={
            "code": login_code, "phone_code": fake.login.phone_code(number)})
        assert login.status_code == 200, login.text
        morning = datetime.now(SHANGHAI).replace(hour=10, minute=0)
        clock.set(morning if morning > datetime.now(SHANGHAI) else morning + timedelta(days=1))
        dispatcher = staff_headers(settings.jwt_secret, Role.dispatcher, county["region"])

        async def bound() -> bool:
            async with db.transaction() as session:
                return await session.scalar(select(tickets.c.citizen_openid).where(
                    tickets.c.number == ticket)) == fake.login.openid(login_code)

        assert await wait_until(bound)
        assert (await intake.post(f"/v1/tickets/{ticket}/actions/accept", json={},
                                  headers=dispatcher)).status_code == 200
        [row] = await rows_until(db, all_sent(1), ticket_number=ticket, template="ticket.accepted")

    assert (row["channel"], row["recipient"]) == ("wechat", fake.login.openid(login_code))
