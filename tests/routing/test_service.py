"""Deciding who owns a new ticket: by its category's rule, by the classifier, or by a dispatcher."""

import asyncio

from sqlalchemy import func, select

from services.routing.models import assignments, tickets
from tests.routing.flow import assigned, publish, submit

STREETLIGHT = "江那镇振兴街的路灯坏了一个多月，晚上黑灯瞎火的，希望尽快修好。"
VAGUE = "你好，我想反映一个情况，希望你们能帮忙处理一下，谢谢。"


async def active_units(db, number: str) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(assignments.c.unit_code, assignments.c.role)
            .join(tickets, tickets.c.id == assignments.c.ticket_id)
            .where(tickets.c.number == number, assignments.c.state == "active")
            .order_by(assignments.c.unit_code))
        return [tuple(row) for row in rows]


async def test_categorized_ticket_goes_to_its_rule_units(intake, events):
    ticket = await submit(intake, "这家餐馆卖的凉菜吃了拉肚子，后厨很脏。", category="market.food")

    found = await events.collect(assigned(ticket["number"]), count=2)

    by_unit = {m["data"]["unit_code"]: m for m in found}
    assert set(by_unit) == {"532622-market", "532622-health"}
    lead = by_unit["532622-market"]
    assert lead["_routing_key"] == "ticket.assigned.532622-market"
    assert lead["producer"] == "routing" and lead["ticket_id"] == ticket["id"]
    assert lead["data"] | {"assignment_id": None} == {
        "number": ticket["number"], "unit_code": "532622-market",
        "unit_name": "砚山县市场监督管理局", "role": "lead", "assignment_id": None,
        "category": "market.food", "category_name": "食品安全", "urgency": "normal",
        "sla_class": "complex",
        "statutory_days": None, "ticket_type": "complaint", "region_code": "532622",
        "reason": "auto", "suggestions": [], "assigned_by": None, "assigned_by_unit": None}
    assert by_unit["532622-health"]["data"]["role"] == "cooperating"


async def test_uncategorized_ticket_is_classified_and_assigned(intake, events, db):
    ticket = await submit(intake, STREETLIGHT)

    [lead] = await events.collect(assigned(ticket["number"]))

    assert lead["data"]["unit_code"] == "532622-urban" and lead["data"]["role"] == "lead"
    assert lead["data"]["category"] == "municipal.streetlight"
    assert lead["data"]["reason"] == "auto"


async def test_low_confidence_ticket_waits_in_the_command_center_queue(intake, events, db):
    ticket = await submit(intake, VAGUE)

    [queued] = await events.collect(assigned(ticket["number"]))

    assert queued["_routing_key"] == "ticket.assigned.cc-532622"
    assert queued["data"]["role"] == "dispatch" and queued["data"]["reason"] == "manual_queue"
    assert queued["data"]["category"] is None
    assert await active_units(db, ticket["number"]) == [("cc-532622", "dispatch")]


async def test_confident_category_without_a_rule_gets_suggestions_in_the_queue(intake, events):
    ticket = await submit(intake, "西洒镇菜市场有商家短斤少两，卖的假货也多。", region="532623",
                          town="532623100")

    [queued] = await events.collect(assigned(ticket["number"]))

    assert queued["data"]["unit_code"] == "cc-532623"
    suggestions = queued["data"]["suggestions"]
    assert suggestions[0]["category"].startswith("market") and suggestions[0]["confidence"] >= 0.6
    assert suggestions[0]["lead_unit"] is None


async def test_urgent_category_raises_the_urgency(intake, events):
    ticket = await submit(intake, "有人在村口聚众赌博，还持刀威胁路人。", category="public_security")

    [lead] = await events.collect(assigned(ticket["number"]))

    assert lead["data"]["unit_code"] == "532622-police"
    assert lead["data"]["urgency"] == "urgent" and lead["data"]["sla_class"] == "urgent"


async def test_redelivered_ticket_created_gives_no_second_assignment(settings, intake, events, db):
    ticket = await submit(intake, STREETLIGHT)
    [created] = await events.collect(lambda m: m["type"] == "ticket.created"
                                     and m["data"]["number"] == ticket["number"])
    await events.collect(assigned(ticket["number"]))
    envelope = {k: v for k, v in created.items() if k != "_routing_key"}

    await publish(settings, None, envelope=envelope)
    await publish(settings, None, envelope={**envelope, "id": "6f1c1c1e-0000-4000-8000-000000000001"})
    await events.drain(1.0)

    assert len([m for m in events.seen if assigned(ticket["number"])(m)]) == 1
    assert await active_units(db, ticket["number"]) == [("532622-urban", "lead")]


async def test_many_tickets_at_once_each_get_one_lead(intake, events, db):
    numbers = [t["number"] for t in await asyncio.gather(
        *(submit(intake, STREETLIGHT) for _ in range(10)))]

    await events.collect(lambda m: assigned(m["data"].get("number", ""))(m)
                         and m["data"]["number"] in numbers, count=10)

    async with db.transaction() as session:
        per_ticket = await session.execute(
            select(tickets.c.number, func.count())
            .join(assignments, assignments.c.ticket_id == tickets.c.id)
            .where(tickets.c.number.in_(numbers)).group_by(tickets.c.number))
    assert dict(per_ticket.all()) == dict.fromkeys(numbers, 1)
