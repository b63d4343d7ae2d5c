"""Duplicates: the same caller or the same issue nearby within 7 days; repeat and group complaints."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql

from services.core.auth import Role
from services.core.consumer import wait_until
from services.core.db import Database
from services.intake import events as intake_events
from services.routing import duplicates, ticket_store
from services.routing.duplicates import distance_m, similarity
from services.routing.schemas import TicketCreatedData
from tests.routing.flow import assigned, bearer, phone, place, publish, submit, uid

BBQ = "振兴街夜市的烧烤摊每天晚上油烟很大，还放音乐放到凌晨，吵得睡不着。"
BBQ_AGAIN = "楼下烧烤摊半夜还在营业，音响声音太大，噪音扰民，油烟也熏人。"
DRAIN = "这条街的下水道堵了好几天，污水冒到路面上，臭得很。"


def flagged(number: str):
    return lambda m: m["type"] == "ticket.duplicate_flagged" and m["data"]["number"] == number


def nearby(point: dict, meters: float) -> tuple[float, float]:
    return point["lat"] + meters / 111_000, point["lng"]


@pytest.fixture
def center(settings):
    return bearer(settings, Role.dispatcher, unit="cc-532622", region="532622")


async def test_second_ticket_from_the_same_phone_is_flagged(routing, intake, events, center):
    caller = phone()
    first = await submit(intake, BBQ, caller=caller)
    await events.collect(assigned(first["number"]))
    second = await submit(intake, DRAIN, caller=caller)

    [event] = await events.collect(flagged(second["number"]))

    [candidate] = event["data"]["candidates"]
    assert candidate["number"] == first["number"] and candidate["reason"] == "phone"
    assert event["data"]["repeat_count"] == 1 and event["data"]["consult"] is False
    seen_from_first = await routing.get(f"/v1/tickets/{first['number']}/duplicates", headers=center)
    assert [(c["number"], c["flagged_on"]) for c in seen_from_first.json()["candidates"]] == [
        (second["number"], "other")]


async def test_third_report_of_one_issue_nearby_is_a_repeat_and_group_complaint(routing, intake,
                                                                               events, center):
    spot = place()
    numbers = []
    for text, meters in ((BBQ, 0), (BBQ_AGAIN, 40), (BBQ, 80)):
        ticket = await submit(intake, text, at=nearby(spot, meters))
        await events.collect(assigned(ticket["number"]))
        numbers.append(ticket["number"])

    [event] = await events.collect(flagged(numbers[2]))

    assert event["data"]["repeat_count"] == 3
    assert event["data"]["group"] is True and event["data"]["consult"] is True
    candidates = {c["number"]: c for c in event["data"]["candidates"]}
    assert set(candidates) == set(numbers[:2])
    assert all(c["reason"] == "place" and c["similarity"] >= 0.5 for c in candidates.values())
    assert 35 <= candidates[numbers[1]]["distance_m"] <= 45
    view = (await routing.get(f"/v1/tickets/{numbers[2]}/duplicates", headers=center)).json()
    assert view["repeat_count"] == 3 and view["consult"] is True
    assert {c["number"] for c in view["candidates"]} == set(numbers[:2])


async def test_other_issue_or_farther_away_is_not_a_duplicate(intake, events):
    spot = place()
    first = await submit(intake, BBQ, at=nearby(spot, 0))
    await events.collect(assigned(first["number"]))
    other_issue = await submit(intake, DRAIN, at=nearby(spot, 20))
    farther = await submit(intake, BBQ, at=nearby(spot, 300))

    await events.collect(assigned(farther["number"]))
    await events.collect(assigned(other_issue["number"]))
    await events.drain(0.5)

    assert not [m for m in events.seen
                if flagged(other_issue["number"])(m) or flagged(farther["number"])(m)]


async def test_a_closed_ticket_is_no_candidate(settings, routing, intake, events, center):
    caller = phone()
    first = await submit(intake, BBQ, caller=caller)
    await events.collect(assigned(first["number"]))
    await publish(settings, intake_events.TicketClosed(number=first["number"]), first["id"])

    async def closed() -> bool:
        history = await routing.get(f"/v1/tickets/{first['number']}/assignments", headers=center)
        return all(a["state"] == "closed" for a in history.json())

    assert await wait_until(closed)

    second = await submit(intake, BBQ, caller=caller)
    await events.collect(assigned(second["number"]))
    await events.drain(0.5)

    assert not [m for m in events.seen if flagged(second["number"])(m)]


async def test_a_collective_complaint_is_flagged_for_consultation(intake, events):
    ticket = await submit(intake, "我们全村几十户人家的承包地被占用修路，补偿款一直没有发放。")

    [event] = await events.collect(flagged(ticket["number"]))

    assert event["data"]["group"] is True and event["data"]["consult"] is True
    assert event["data"]["candidates"] == []


def test_similarity_sees_the_same_problem_in_other_words():
    assert similarity(BBQ, BBQ_AGAIN) >= 0.5
    assert similarity(BBQ, DRAIN) < 0.5
    assert similarity(BBQ, BBQ) == 1.0
    assert similarity("", BBQ) == 0.0


def test_distance_in_metres():
    assert distance_m((23.6, 104.3), (23.6, 104.3)) == 0
    assert 110 < distance_m((23.6, 104.3), (23.601, 104.3)) < 112


def _new(text: str, at: tuple[float, float], caller: str) -> TicketCreatedData:
    return TicketCreatedData(number=f"T{uid()}", ticket_type="complaint", title=text[:20],
                             content=text, region_code="532622", lat=at[0], lng=at[1],
                             contact_phone=caller)


async def _waiting_on_advisory_lock(db) -> bool:
    async with db.transaction() as session:
        waiting = await session.execute(sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
        return waiting.scalar() > 0


@pytest.fixture
async def pool(settings, db):
    """Four connections: a transaction held open, two beside it, and one looking at pg_locks."""
    database = Database(settings.database_url, pool_size=4)
    yield database
    await database.dispose()


async def test_reports_arriving_together_see_each_other_and_far_ones_do_not_wait(pool):
    """Two reports of one spot are checked in turn; a report elsewhere is not held up by them."""
    spot = place()
    first, second = _new(BBQ, (spot["lat"], spot["lng"]), phone()), _new(BBQ_AGAIN, nearby(spot, 30), phone())
    elsewhere = place()
    far = _new(BBQ, (elsewhere["lat"], elsewhere["lng"]), phone())
    now = datetime.now(UTC)
    async with pool.transaction() as holding:
        row = await ticket_store.insert_ticket(holding, uuid.uuid4(), first, now)
        assert await duplicates.flag(holding, row) is None
        async with pool.transaction() as session:  # far away: not blocked by the open transaction
            other = await ticket_store.insert_ticket(session, uuid.uuid4(), far, now)
            assert await asyncio.wait_for(duplicates.flag(session, other), 10) is None

        async def check_second():
            async with pool.transaction() as session:
                row = await ticket_store.insert_ticket(session, uuid.uuid4(), second, now)
                return await duplicates.flag(session, row)

        late = asyncio.create_task(check_second())
        assert await wait_until(lambda: _waiting_on_advisory_lock(pool))
        assert not late.done()
    event = await late  # the first committed: the second, checked after it, sees it
    assert event is not None and [c.number for c in event.candidates] == [first.number]


def test_lock_keys_are_shared_by_possible_duplicates_only():
    spot = {"lat": 23.5, "lng": 104.3}

    def keys(at, caller=None):
        return set(duplicates.lock_keys({"lat": at[0], "lng": at[1], "contact_phone": caller}))

    here = keys((spot["lat"], spot["lng"]))
    assert keys(nearby(spot, 99)) & here
    assert keys(nearby(spot, -99)) & here
    assert not keys(nearby(spot, 1_000)) & here
    assert keys((30.0, 110.0), caller="13800000000") & keys((spot["lat"], spot["lng"]), "13800000000")
    assert keys((None, None)) == set()
