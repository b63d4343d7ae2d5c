"""Citizen login by SMS code and staff login by password."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from services.intake.models import sms_codes
from tests.intake.factories import phone


def code_for(number):
    return lambda m: m["type"] == "auth.code_requested" and m["data"]["phone"] == number


async def login(intake, events, number) -> dict:
    """Log a citizen in the way the mini-program does; returns auth headers."""
    assert (await intake.post("/v1/auth/sms-code", json={"phone": number})).status_code == 202
    [message] = await events.collect(code_for(number))
    response = await intake.post("/v1/auth/citizen-token",
                                 json={"phone": number, "code": message["data"]["code"]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_citizen_logs_in_with_the_code_sent_to_the_phone(intake, events):
    number = phone()
    headers = await login(intake, events, number)
    mine = await intake.get("/v1/tickets", params={"mine": "true"}, headers=headers)
    assert mine.status_code == 200 and mine.json() == []


async def test_one_code_a_minute(intake):
    number = phone()
    assert (await intake.post("/v1/auth/sms-code", json={"phone": number})).status_code == 202
    again = await intake.post("/v1/auth/sms-code", json={"phone": number})
    assert again.status_code == 429
    assert "每分钟" in again.json()["detail"]


async def test_ten_codes_a_day(intake, db):
    number = phone()
    for minutes in range(10):
        assert (await intake.post("/v1/auth/sms-code", json={"phone": number})).status_code == 202
        async with db.transaction() as session:  # age the code past the one-a-minute window
            await session.execute(update(sms_codes).where(sms_codes.c.phone == number)
                                  .values(created_at=datetime.now(UTC) - timedelta(minutes=2 + minutes)))
    eleventh = await intake.post("/v1/auth/sms-code", json={"phone": number})
    assert eleventh.status_code == 429
    assert "10 次" in eleventh.json()["detail"]


async def test_five_wrong_codes_void_the_code(intake, events):
    number = phone()
    await intake.post("/v1/auth/sms-code", json={"phone": number})
    [message] = await events.collect(code_for(number))
    right = message["data"]["code"]
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    details = []
    for _ in range(5):
        response = await intake.post("/v1/auth/citizen-token", json={"phone": number, "code": wrong})
        assert response.status_code == 401
        details.append(response.json()["detail"])
    assert "还可尝试 4 次" in details[0] and "已失效" in details[-1]
    late = await intake.post("/v1/auth/citizen-token", json={"phone": number, "code": right})
    assert late.status_code == 401


async def test_expired_code_is_refused(intake, events, db):
    number = phone()
    await intake.post("/v1/auth/sms-code", json={"phone": number})
    [message] = await events.collect(code_for(number))
    async with db.transaction() as session:
        await session.execute(update(sms_codes).where(sms_codes.c.phone == number)
                              .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = await intake.post("/v1/auth/citizen-token",
                                 json={"phone": number, "code": message["data"]["code"]})
    assert response.status_code == 401 and "过期" in response.json()["detail"]


async def test_staff_login(intake):
    good = await intake.post("/v1/auth/staff-token",
                             json={"username": "desk-test", "password": "pw-center"})
    bad = await intake.post("/v1/auth/staff-token",
                            json={"username": "desk-test", "password": "wrong"})
    nobody = await intake.post("/v1/auth/staff-token", json={"username": "ghost", "password": "x"})
    assert good.status_code == 200 and good.json()["access_token"]
    assert bad.status_code == nobody.status_code == 401


async def test_a_forged_token_is_refused(intake):
    response = await intake.get("/v1/tickets", headers={"Authorization": "Bearer abc.def.ghi"})
    assert response.status_code == 401


async def test_a_mini_program_login_carries_the_openid_onto_tickets(intake, events):
    number = phone()
    await intake.post("/v1/auth/sms-code", json={"phone": number})
    [message] = await events.collect(code_for(number))
    token = (await intake.post("/v1/auth/citizen-token", json={
        "phone": number, "code": message["data"]["code"], "openid": "oWx-citizen-0001"})).json()
    from tests.intake.factories import ticket_body

    body = ticket_body(channel="miniprogram")
    body["contact"].pop("phone")
    created = await intake.post("/v1/tickets", json=body,
                                headers={"Authorization": f"Bearer {token['access_token']}"})
    [event] = await events.collect(lambda m: m["type"] == "ticket.created"
                                   and m["data"]["number"] == created.json()["number"])
    assert event["data"]["citizen_openid"] == "oWx-citizen-0001"
