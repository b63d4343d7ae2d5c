"""POST /v1/auth/wechat against the local server that speaks WeChat's protocol."""

import pytest

from services.core.testing import running
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.notify.fake_providers import FakeProviders
from tests.intake.factories import phone, ticket_body


@pytest.fixture(scope="module")
async def wechat():
    async with FakeProviders() as fake:
        yield fake


def wechat_settings(fake: FakeProviders, **overrides) -> IntakeSettings:
    return IntakeSettings(wechat_api_base=fake.base_url, wechat_appid=fake.wechat_appid,
                          wechat_secret=fake.wechat_secret, **overrides)


@pytest.fixture(scope="module")
async def client(settings, db, wechat):
    async with running(create_app(settings, wechat_settings(wechat))) as client:
        yield client


async def login(client, wechat: FakeProviders, number: str, openid: str | None = None):
    return await client.post("/v1/auth/wechat", json={
        "code": wechat.login.login_code(openid), "phone_code": wechat.login.phone_code(number)})


async def test_login_binds_the_openid_to_the_phone_and_tickets_carry_it(client, wechat, events):
    number, openid = phone(), "oWxLoginTest0000000000000001"
    response = await login(client, wechat, number, openid)

    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    body = ticket_body(channel="miniprogram")
    body["contact"].pop("phone")
    created = await client.post("/v1/tickets", json=body, headers=headers)
    assert created.status_code == 201, created.text
    [event] = await events.collect(lambda m: m["type"] == "ticket.created"
                                   and m["data"]["number"] == created.json()["number"])
    assert event["data"]["citizen_openid"] == openid  # what notify sends subscribe messages to
    assert event["data"]["contact_phone"] == number
    [bound] = await events.collect(lambda m: m["type"] == "citizen.wechat_bound"
                                   and m["data"]["phone"] == number)
    assert bound["data"]["openid"] == openid  # notify re-addresses the phone's earlier tickets
    mine = await client.get("/v1/tickets", headers=headers)
    assert [t["number"] for t in mine.json()] == [created.json()["number"]]


async def test_a_used_or_unknown_code_is_refused_in_chinese(client, wechat):
    number = phone()
    code = wechat.login.login_code()
    first = await client.post("/v1/auth/wechat", json={"code": code, "phone_code": wechat.login.phone_code(number)})
    reused = await client.post("/v1/auth/wechat", json={"code": code, "phone_code": wechat.login.phone_code(number)})
    bad_phone = await client.post("/v1/auth/wechat", json={"code": wechat.login.login_code(),
                                                           "phone_code": "PHONEnotissued"})

    assert first.status_code == 200
    assert reused.status_code == 401 and "微信登录凭证无效" in reused.json()["detail"]
    assert bad_phone.status_code == 401 and "手机号授权已失效" in bad_phone.json()["detail"]


async def test_an_expired_access_token_is_fetched_again(client, wechat):
    assert (await login(client, wechat, phone())).status_code == 200
    fetches = wechat.token_fetches
    wechat.expire_token()

    again = await login(client, wechat, phone())

    assert again.status_code == 200, again.text
    assert wechat.token_fetches == fetches + 1


async def test_wechat_unreachable_or_not_configured_is_a_503(settings, db, wechat):
    down = IntakeSettings(wechat_api_base="http://127.0.0.1:9", wechat_appid="wx1", wechat_secret="s")
    for own in (down, IntakeSettings(wechat_appid="")):
        async with running(create_app(settings, own)) as client:
            response = await client.post("/v1/auth/wechat", json={"code": "abc", "phone_code": "def"})
        assert response.status_code == 503 and response.json()["detail"]


async def test_a_malformed_body_is_a_422(client):
    for body in ({"code": "abc"}, {"code": "", "phone_code": "x"}, {"code": "a b", "phone_code": "x"}):
        response = await client.post("/v1/auth/wechat", json=body)
        assert response.status_code == 422 and response.json()["errors"]
