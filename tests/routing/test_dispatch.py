"""After the first decision: dispatch, transfer, 退件, and the end of a ticket's assignments."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.core.auth import Role
from services.core.consumer import wait_until
from services.intake import events as intake_events
from services.intake.models import tickets as intake_tickets
from services.routing.models import assignments, tickets
from tests.routing.flow import assigned, bearer, publish, submit

NOISE = "振兴街有家KTV每天晚上放音乐放到一两点，整栋楼的人都睡不着觉，噪音太大了。"
VAGUE = "你好，我想反映一个情况，希望你们能帮忙处理一下，谢谢。"
FOOD = "这家餐馆卖的凉菜吃了拉肚子，后厨很脏。"


@pytest.fixture
def center(settings):
    return bearer(settings, Role.dispatcher, unit="cc-532622", region="532622",
                  subject="center-532622")


def handler(settings, unit: str) -> dict:
    return bearer(settings, Role.handler, unit=unit, region="532622", subject=f"handler-{unit}")


async def states(db, number: str) -> list[tuple[str, str, str]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(assignments.c.unit_code, assignments.c.role, assignments.c.state)
            .join(tickets, tickets.c.id == assignments.c.ticket_id)
            .where(tickets.c.number == number).order_by(assignments.c.assigned_at))
        return [tuple(row) for row in rows]


async def test_dispatcher_dispatches_from_the_manual_queue(routing, intake, events, center, db):
    ticket = await submit(intake, VAGUE)
    await events.collect(assigned(ticket["number"], "cc-532622"))

    response = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center, json={
        "lead": "532622-urban", "co": [{"unit_code": "532622-police", "role": "cooperating"}],
        "category": "municipal"})

    assert response.status_code == 200, response.text
    assert {(a["unit_code"], a["role"]) for a in response.json()} == {
        ("532622-urban", "lead"), ("532622-police", "cooperating")}
    found = await events.collect(assigned(ticket["number"]), count=3)
    sent = {m["data"]["unit_code"]: m["data"] for m in found}
    assert sent["532622-urban"]["reason"] == "dispatch" and sent["532622-urban"]["category"] == "municipal"
    assert sent["532622-urban"]["sla_class"] == "complex"
    assert (sent["532622-urban"]["assigned_by"], sent["532622-urban"]["assigned_by_unit"]) == (
        "center-532622", "cc-532622")  # who decided, for 流程跟踪
    assert await states(db, ticket["number"]) == [
        ("cc-532622", "dispatch", "transferred"), ("532622-urban", "lead", "active"),
        ("532622-police", "cooperating", "active")]
    queue = await routing.get("/v1/assignments", params={"unit": "cc-532622"}, headers=center)
    assert ticket["number"] not in [a["number"] for a in queue.json()]


async def test_transfer_moves_the_ticket_to_other_units(routing, intake, events, center, db):
    ticket = await submit(intake, FOOD, category="market.food")
    await events.collect(assigned(ticket["number"]), count=2)

    response = await routing.post(f"/v1/tickets/{ticket['id']}/dispatch", headers=center, json={
        "lead": "532622-health", "co": [{"unit_code": "532622-market", "role": "responsible"}],
        "note": "食物中毒由卫健牵头"})

    assert response.status_code == 200, response.text
    moved = await events.collect(lambda m: assigned(ticket["number"])(m)
                                 and m["data"]["reason"] == "transfer", count=2)
    assert {(m["data"]["unit_code"], m["data"]["role"]) for m in moved} == {
        ("532622-health", "lead"), ("532622-market", "responsible")}
    assert len({m["correlation_id"] for m in moved}) == 1
    assert await states(db, ticket["number"]) == [
        ("532622-market", "lead", "transferred"), ("532622-health", "cooperating", "transferred"),
        ("532622-health", "lead", "active"), ("532622-market", "responsible", "active")]


async def test_each_dispatch_is_one_new_decision(routing, intake, events, center, db):
    ticket = await submit(intake, FOOD, category="market.food")
    first = await events.collect(assigned(ticket["number"]), count=2)

    await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center,
                       json={"lead": "532622-market"})

    [again] = await events.collect(lambda m: assigned(ticket["number"], "532622-market")(m)
                                   and m["data"]["reason"] == "transfer")
    assert len({m["correlation_id"] for m in first}) == 1
    assert again["correlation_id"] != first[0]["correlation_id"]
    assert again["data"]["sla_class"] == "normal"
    assert await states(db, ticket["number"]) == [
        ("532622-market", "lead", "transferred"), ("532622-health", "cooperating", "transferred"),
        ("532622-market", "lead", "active")]


@pytest.mark.parametrize(("who", "body", "status", "field"), [
    ("urban", {"lead": "532622-police"}, 403, None),
    ("other_center", {"lead": "532601-police"}, 404, None),
    ("center", {"lead": "532622-nowhere"}, 422, "lead"),
    ("center", {"lead": "532601-police"}, 422, "lead"),
    ("center", {"lead": "cc-532622"}, 422, "lead"),
    ("center", {"lead": "532622-urban", "co": [{"unit_code": "532601-police",
                                                "role": "cooperating"}]}, 422, "co.0.unit_code"),
    ("center", {"lead": "532622-urban", "co": [{"unit_code": "532622-urban",
                                                "role": "cooperating"}]}, 422, "body"),
    ("center", {"lead": "532622-urban"}, 422, "category"),
    ("center", {"lead": "532622-urban", "category": "no_such"}, 422, "category"),
])
async def test_refused_dispatches(settings, routing, intake, events, center, who, body, status,
                                  field):
    ticket = await submit(intake, VAGUE)
    await events.collect(assigned(ticket["number"]))
    callers = {"center": center, "urban": handler(settings, "532622-urban"),
               "other_center": bearer(settings, Role.dispatcher, unit="cc-532601",
                                      region="532601")}

    response = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch",
                                  headers=callers[who], json=body)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field:
        assert response.json()["errors"][0]["field"] == field


async def intake_shows_lead(intake, settings, number: str, unit: str) -> None:
    admin = bearer(settings, Role.admin, region="532600", subject="admin")

    async def shown() -> bool:
        return (await intake.get(f"/v1/tickets/{number}", headers=admin)).json()["lead_unit"] == unit

    assert await wait_until(shown), f"intake never showed {unit} leading {number}"


async def test_approved_return_goes_back_to_the_queue_without_the_unit(settings, routing, intake,
                                                                       events, center, db):
    ticket = await submit(intake, NOISE, category="municipal.noise")
    await events.collect(assigned(ticket["number"]), count=3)
    await intake_shows_lead(intake, settings, ticket["number"], "532622-urban")

    asked = await intake.post(f"/v1/tickets/{ticket['number']}/actions/request_return",
                              json={"reason": "属于社会生活噪声，应由公安处理"},
                              headers=handler(settings, "532622-urban"))
    approved = await intake.post(f"/v1/tickets/{ticket['number']}/actions/approve_return",
                                 headers=center)

    assert asked.status_code == approved.status_code == 200, (asked.text, approved.text)
    [queued] = await events.collect(assigned(ticket["number"], "cc-532622"))
    assert queued["data"]["role"] == "dispatch" and queued["data"]["reason"] == "return"
    assert queued["data"]["suggestions"][0] == {
        "category": "municipal.noise", "confidence": 1.0, "lead_unit": "532622-police"}
    history = (await routing.get(f"/v1/tickets/{ticket['number']}/assignments",
                                 headers=center)).json()
    assert {(a["unit_code"], a["state"]) for a in history} == {
        ("532622-urban", "returned"), ("532622-police", "transferred"),
        ("532622-ecology", "transferred"), ("cc-532622", "active")}
    assert [a["excluded"] for a in history if a["unit_code"] == "cc-532622"] == [["532622-urban"]]


async def test_return_after_the_window_is_refused_and_the_unit_keeps_it(settings, routing, intake,
                                                                        events, db):
    ticket = await submit(intake, FOOD, category="market.food")
    await events.collect(assigned(ticket["number"]), count=2)
    await intake_shows_lead(intake, settings, ticket["number"], "532622-market")
    async with db.transaction() as session:  # assigned two weeks ago
        await session.execute(update(intake_tickets).where(intake_tickets.c.id == ticket["id"])
                              .values(assigned_at=intake_tickets.c.assigned_at
                                      - timedelta(days=14)))

    asked = await intake.post(f"/v1/tickets/{ticket['number']}/actions/request_return",
                              json={"reason": "不归我们管"}, headers=handler(settings, "532622-market"))

    assert asked.status_code == 409 and "1 个工作日" in asked.json()["detail"]
    await events.drain(0.5)
    assert not [m for m in events.seen if m["type"] == "ticket.returned"
                and m["data"]["number"] == ticket["number"]]
    assert ("532622-market", "lead", "active") in await states(db, ticket["number"])


async def test_rejected_ticket_leaves_every_queue(settings, routing, intake, events, center, db):
    ticket = await submit(intake, VAGUE)
    await events.collect(assigned(ticket["number"], "cc-532622"))

    rejected = await intake.post(f"/v1/tickets/{ticket['number']}/actions/reject", headers=center,
                                 json={"reason_code": "emergency"})

    assert rejected.status_code == 200, rejected.text
    assert await wait_until(lambda: _ended(db, ticket["number"]))
    queue = await routing.get("/v1/assignments", params={"unit": "cc-532622"}, headers=center)
    assert ticket["number"] not in [a["number"] for a in queue.json()]


async def _ended(db, number: str) -> bool:
    return [s for _, _, s in await states(db, number)] == ["closed"]


async def test_merged_ticket_follows_its_master(settings, routing, intake, events, center, db):
    master = await submit(intake, FOOD, category="market.food")
    copy = await submit(intake, FOOD, category="market.food")
    await events.collect(assigned(copy["number"]), count=2)

    merged = await intake.post(f"/v1/tickets/{copy['number']}/actions/merge", headers=center,
                               json={"master_number": master["number"]})

    assert merged.status_code == 200, merged.text
    assert await wait_until(lambda: _all_closed(db, copy["number"]))
    again = await routing.post(f"/v1/tickets/{copy['number']}/dispatch", headers=center,
                               json={"lead": "532622-market"})
    assert again.status_code == 409 and master["number"] in again.json()["detail"]
    duplicates = await routing.get(f"/v1/tickets/{copy['number']}/duplicates", headers=center)
    assert duplicates.json()["master_number"] == master["number"]


async def _all_closed(db, number: str) -> bool:
    found = await states(db, number)
    return bool(found) and all(state == "closed" for _, _, state in found)


async def test_closed_then_reopened_ticket_returns_to_its_units(settings, routing, intake, events,
                                                                db):
    ticket = await submit(intake, FOOD, category="market.food")
    await events.collect(assigned(ticket["number"]), count=2)

    await publish(settings, intake_events.TicketClosed(number=ticket["number"]), ticket["id"])
    assert await wait_until(lambda: _all_closed(db, ticket["number"]))
    await publish(settings, intake_events.TicketReopened(
        number=ticket["number"], reason="不满意", times=1, unit_codes=["532622-market"]),
        ticket["id"])

    async def active_again() -> bool:
        return {s for _, _, s in await states(db, ticket["number"])} == {"active"}

    assert await wait_until(active_again)
    await events.drain(0.3)
    assert len([m for m in events.seen if assigned(ticket["number"])(m)]) == 2


async def test_urgency_marked_by_the_center_travels_with_the_dispatch(settings, routing, intake,
                                                                      events, center, db):
    ticket = await submit(intake, VAGUE)
    await events.collect(assigned(ticket["number"], "cc-532622"))

    marked = await intake.post(f"/v1/tickets/{ticket['number']}/actions/set_urgency",
                               headers=center, json={"urgency": "urgent"})

    async def known_urgent() -> bool:
        async with db.transaction() as session:
            return await session.scalar(select(tickets.c.urgency)
                                        .where(tickets.c.id == ticket["id"])) == "urgent"

    assert marked.status_code == 200, marked.text
    assert await wait_until(known_urgent)
    response = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center,
                                  json={"lead": "532622-urban", "category": "municipal"})
    assert response.status_code == 200, response.text
    [lead] = await events.collect(assigned(ticket["number"], "532622-urban"))
    assert lead["data"]["urgency"] == "urgent" and lead["data"]["sla_class"] == "urgent"
