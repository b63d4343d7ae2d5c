"""A citizen's own tickets, the public progress query, 待完善 and evaluation."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from services.core.auth import Principal, Role
from services.intake import service
from services.intake.models import tickets
from tests.intake.factories import phone, ticket_body
from tests.intake.test_auth import login

DISPATCHER = Principal("center-532622", Role.dispatcher, "cc-532622", "532622")


async def submit_as_citizen(intake, headers, **overrides) -> dict:
    body = ticket_body(channel="miniprogram", **overrides)
    body["contact"].pop("phone")
    response = await intake.post("/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_citizen_sees_own_tickets_and_not_others(intake, events):
    alice, bob = await login(intake, events, phone()), await login(intake, events, phone())
    ticket = await submit_as_citizen(intake, alice)

    mine = await intake.get("/v1/tickets", params={"mine": "true"}, headers=alice)
    assert [t["number"] for t in mine.json()] == [ticket["number"]]
    assert (await intake.get(f"/v1/tickets/{ticket['number']}", headers=alice)).status_code == 200
    assert (await intake.get(f"/v1/tickets/{ticket['number']}", headers=bob)).status_code == 404
    assert (await intake.get("/v1/tickets", headers=bob)).json() == []


async def test_citizen_cannot_submit_for_another_phone(intake, events):
    alice = await login(intake, events, phone())
    response = await intake.post("/v1/tickets", json=ticket_body(channel="miniprogram"), headers=alice)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact.phone"


async def test_progress_query_reveals_no_personal_data(intake, channel_headers):
    body = ticket_body(contact={"name": "王先生", "phone": phone(), "id_number": "11010519491231002X"})
    number = (await intake.post("/v1/tickets", json=body, headers=channel_headers)).json()["number"]

    found = await intake.get(f"/v1/tickets/{number}/progress",
                             params={"phone_last4": body["contact"]["phone"][-4:]})
    wrong = await intake.get(f"/v1/tickets/{number}/progress", params={"phone_last4": "0000"})

    assert found.status_code == 200 and found.json()["status_label"] == "待受理"
    text = found.text
    assert body["contact"]["phone"] not in text and "王先生" not in text
    assert "11010519491231002X" not in text and "振兴街 18 号" not in text
    assert wrong.status_code == 404


async def test_pending_info_is_supplemented_by_its_citizen(intake, events, db):
    citizen = await login(intake, events, phone())
    ticket = await submit_as_citizen(intake, citizen)
    async with db.transaction() as session:
        row = await service.find(session, ticket["number"], lock=True)
        await service.request_info(session, intake.app.state.outbox, row, DISPATCHER, "请补充具体门牌号")

    detail = (await intake.get(f"/v1/tickets/{ticket['number']}", headers=citizen)).json()
    assert detail["status_label"] == "待完善" and detail["info_request"] == "请补充具体门牌号"
    response = await intake.post(f"/v1/tickets/{ticket['number']}/supplement",
                                 json={"content": "振兴街 18 号门口"}, headers=citizen)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    assert [e["action"] for e in response.json()["timeline"]] == ["submit", "request_info", "supplement"]
    assert await events.collect(lambda m: m["type"] == "ticket.supplemented"
                                and m["data"]["number"] == ticket["number"])
    again = await intake.post(f"/v1/tickets/{ticket['number']}/supplement",
                              json={"content": "再补充"}, headers=citizen)
    assert again.status_code == 409 and "待受理" in again.json()["detail"]


async def test_pending_info_expires_after_ten_days(intake, channel_headers, events, db):
    number = (await intake.post("/v1/tickets", json=ticket_body(), headers=channel_headers)).json()["number"]
    fresh = (await intake.post("/v1/tickets", json=ticket_body(), headers=channel_headers)).json()["number"]
    outbox = intake.app.state.outbox
    async with db.transaction() as session:
        for n in (number, fresh):
            await service.request_info(session, outbox, await service.find(session, n), DISPATCHER, "缺地址")

    now = datetime.now(UTC)
    async with db.transaction() as session:
        assert await service.expire_stale(session, outbox, now=now + timedelta(days=9), days=10) == 0
    async with db.transaction() as session:
        await session.execute(update(tickets).where(tickets.c.number == fresh)
                              .values(pending_info_since=now + timedelta(days=5)))
        expired = await service.expire_stale(session, outbox, now=now + timedelta(days=10, minutes=1),
                                             days=10)

    assert expired >= 1
    progress = await intake.get(f"/v1/tickets/{number}/progress", params={"phone_last4": "0000"})
    assert progress.status_code == 404
    async with db.transaction() as session:
        assert (await service.find(session, number))["status"] == "expired"
        assert (await service.find(session, fresh))["status"] == "pending_info"
    [event] = await events.collect(lambda m: m["type"] == "ticket.expired" and m["data"]["number"] == number)
    assert event["data"]["number"] == number


async def test_evaluation_only_once_resolved_and_dissatisfaction_reopens(intake, events, db):
    citizen = await login(intake, events, phone())
    ticket = await submit_as_citizen(intake, citizen)
    url = f"/v1/tickets/{ticket['number']}/evaluation"

    early = await intake.post(url, json={"resolved": True}, headers=citizen)
    assert early.status_code == 409 and "待受理" in early.json()["detail"]

    async with db.transaction() as session:  # stands for the handling process of the staff workflow
        await session.execute(update(tickets).where(tickets.c.number == ticket["number"])
                              .values(status="resolved"))
    response = await intake.post(url, json={"resolved": False, "satisfaction": "unsatisfied",
                                            "comment": "路灯还是不亮"}, headers=citizen)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"
    assert response.json()["evaluation"]["satisfaction"] == "unsatisfied"
    reopened = await events.collect(lambda m: m["type"] == "ticket.reopened"
                                    and m["data"]["number"] == ticket["number"])
    assert reopened[0]["data"]["reason"] == "路灯还是不亮"
    assert await events.collect(lambda m: m["type"] == "ticket.evaluated"
                                and m["data"]["number"] == ticket["number"])


async def test_default_satisfaction_is_satisfied(intake, events, db):
    citizen = await login(intake, events, phone())
    ticket = await submit_as_citizen(intake, citizen)
    async with db.transaction() as session:
        await session.execute(update(tickets).where(tickets.c.number == ticket["number"])
                              .values(status="resolved"))
    response = await intake.post(f"/v1/tickets/{ticket['number']}/evaluation",
                                 json={"resolved": True}, headers=citizen)
    assert response.json()["evaluation"]["satisfaction"] == "satisfied"
    assert response.json()["status"] == "closed"
