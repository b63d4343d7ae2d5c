"""Submitting tickets: the answer, the event on the broker, idempotency."""

import asyncio
import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.intake.models import tickets
from services.intake.submission import TicketNumbers
from tests.intake.factories import ticket_body


def created(number):
    return lambda m: m["type"] == "ticket.created" and m["data"]["number"] == number


async def test_submitted_ticket_is_published_exactly_once(intake, channel_headers, events):
    response = await intake.post("/v1/tickets", json=ticket_body(), headers=channel_headers)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert re.fullmatch(r"WS\d{8}\d{6,}", answer["number"])
    assert answer["status"] == "submitted" and answer["status_label"] == "待受理"
    found = await events.collect(created(answer["number"]))
    await events.drain(0.5)
    found = [m for m in events.seen if created(answer["number"])(m)]
    assert len(found) == 1
    envelope = found[0]
    assert envelope["_routing_key"] == "ticket.created"
    assert envelope["producer"] == "intake" and envelope["ticket_id"] == answer["id"]
    assert envelope["data"]["region_code"] == "532622"
    assert uuid.UUID(envelope["id"]) and envelope["occurred_at"].endswith(("Z", "+00:00"))


async def test_replicas_reserving_numbers_in_blocks_never_hand_out_the_same_one(db):
    replicas = [TicketNumbers(block=3), TicketNumbers(block=3)]
    now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # already the 24th in Beijing

    async def take(numbers):
        async with db.transaction() as session:
            return await numbers.next(session, "WS", now)

    issued = await asyncio.gather(*(take(replicas[k % 2]) for k in range(20)))

    assert len(set(issued)) == 20
    assert all(re.fullmatch(r"WS20261124\d{6,}", number) for number in issued)


async def test_title_is_derived_from_the_content(intake, channel_headers):
    content = "砚山县江那镇振兴街与团结路交叉口的路灯已经坏了整整两个星期，晚上路过非常危险。请尽快修复。"
    response = await intake.post("/v1/tickets", json=ticket_body(content=content),
                                 headers=channel_headers)
    detail = await intake.get(f"/v1/tickets/{response.json()['number']}", headers=channel_headers)

    assert detail.json()["title"] == content[:29] + "…"
    assert detail.json()["timeline"][0]["status_label"] == "待受理"


async def test_same_idempotency_key_and_body_returns_the_first_answer(intake, channel_headers, events):
    body = ticket_body()
    headers = {**channel_headers, "Idempotency-Key": f"k-{uuid.uuid4()}"}

    first = await intake.post("/v1/tickets", json=body, headers=headers)
    second = await intake.post("/v1/tickets", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    await events.collect(created(first.json()["number"]))
    await events.drain(0.5)
    published = [m for m in events.seen if m["type"] == "ticket.created"
                 and m["data"]["contact_phone"] == body["contact"]["phone"]]
    assert len(published) == 1


async def test_same_idempotency_key_with_another_body_is_a_conflict(intake, channel_headers, db):
    headers = {**channel_headers, "Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = ticket_body()
    await intake.post("/v1/tickets", json=body, headers=headers)
    async with db.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(tickets))

    response = await intake.post("/v1/tickets", json={**body, "content": "另一件事"}, headers=headers)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in response.json()["detail"]
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(tickets)) == before


async def test_numbers_are_unique_under_concurrency(intake, channel_headers):
    import asyncio

    responses = await asyncio.gather(*(
        intake.post("/v1/tickets", json=ticket_body(), headers=channel_headers) for _ in range(20)
    ))
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == 20


async def test_unknown_api_key_is_refused(intake):
    response = await intake.post("/v1/tickets", json=ticket_body(), headers={"X-Api-Key": "nope"})
    assert response.status_code == 401
    assert response.json()["title"] == "渠道密钥无效"


async def test_no_credentials_is_refused(intake):
    response = await intake.post("/v1/tickets", json=ticket_body())
    assert response.status_code == 401
