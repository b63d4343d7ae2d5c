"""Knocking too often: logins, SMS codes and citizens' reports get 429 with Retry-After,
counted per phone, per username and per address, shared by every replica (in PostgreSQL)."""

import uuid

import httpx
import pytest

from services.core.auth import Principal, Role, issue_token
from services.intake import accounts
from tests.intake.factories import phone, ticket_body


@pytest.fixture
async def from_address(intake):
    """Clients of the running intake app that come from addresses of the test's own."""
    clients = []

    def make(address: str | None = None) -> httpx.AsyncClient:
        address = address or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        transport = httpx.ASGITransport(app=intake.app, client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://test"))
        return clients[-1]
    yield make
    for client in clients:
        await client.aclose()


def refused(response: httpx.Response) -> str:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    return response.json()["detail"]


async def test_five_wrong_passwords_lock_the_username_for_a_while_even_with_the_right_one(db, from_address):
    username = f"locked-{uuid.uuid4().hex[:6]}"
    async with db.transaction() as session:
        await accounts.upsert_staff(session, username=username, password="right-pass", role=Role.agent)
    for _ in range(5):
        wrong = await from_address().post("/v1/auth/staff-token", json={"username": username, "password": "guess"})
        assert wrong.status_code == 401

    right = await from_address().post("/v1/auth/staff-token", json={"username": username, "password": "right-pass"})

    assert "15 分钟" in refused(right)


async def test_one_address_guessing_many_usernames_is_stopped_and_others_are_not(db, from_address):
    guesser = from_address()
    for i in range(30):
        answer = await guesser.post("/v1/auth/staff-token", json={"username": f"nobody-{i}", "password": "x"})
        assert answer.status_code == 401
    assert "登录失败次数过多" in refused(
        await guesser.post("/v1/auth/staff-token", json={"username": "desk-test", "password": "pw-center"}))

    elsewhere = await from_address().post("/v1/auth/staff-token",
                                           json={"username": "desk-test", "password": "pw-center"})
    assert elsewhere.status_code == 200


async def test_one_address_asking_codes_for_many_phones_is_stopped(from_address):
    sender = from_address()
    for _ in range(30):
        assert (await sender.post("/v1/auth/sms-code", json={"phone": phone()})).status_code == 202
    assert "验证码" in refused(await sender.post("/v1/auth/sms-code", json={"phone": phone()}))


async def test_one_address_guessing_codes_is_stopped(from_address):
    guesser = from_address()
    for _ in range(30):
        answer = await guesser.post("/v1/auth/citizen-token", json={"phone": phone(), "code": "123456"})
        assert answer.status_code == 401
    assert "验证码错误次数过多" in refused(
        await guesser.post("/v1/auth/citizen-token", json={"phone": phone(), "code": "123456"}))


async def test_a_citizen_reports_twenty_an_hour_while_the_hotline_system_is_not_limited(
        settings, from_address, channel_headers):
    caller = phone()
    citizen = {"Authorization": "Bearer " + issue_token(
        Principal(str(uuid.uuid4()), Role.citizen, phone=caller), settings.jwt_secret, 600)}
    body = ticket_body(channel="miniprogram", contact={"name": "赵女士", "phone": caller})
    for _ in range(20):
        assert (await from_address().post("/v1/tickets", json=body, headers=citizen)).status_code == 201

    assert "每小时最多提交 20 件" in refused(await from_address().post("/v1/tickets", json=body, headers=citizen))

    hotline = from_address("10.0.0.12")
    for _ in range(3):
        on_behalf = ticket_body(contact={"name": "赵女士", "phone": caller})
        assert (await hotline.post("/v1/tickets", json=on_behalf, headers=channel_headers)).status_code == 201
