"""Warnings and breaches: each exactly once per clock, with replicas racing and after restarts."""

import asyncio

import pytest

from services.core.db import Database
from services.core.outbox import Outbox
from services.sla.models import outbox
from services.sla.scheduler import Scheduler
from tests.sla.flow import Ticket, announcement, at, collect, drain, unit_code


@pytest.fixture
async def replicas(sla_settings):
    """Two scheduler replicas, each with its own engine (as two processes would have)."""
    made = []

    def make() -> Scheduler:
        db = Database(sla_settings.database_url, pool_size=1)
        made.append(db)
        return Scheduler(db, Outbox(outbox, "sla"))

    yield make
    for db in made:
        await db.dispose()


def announced(staged: list[dict]) -> list[tuple[str, str, str]]:
    return [(e["type"], e["data"]["clock"], e["data"].get("level", "")) for e in staged]


async def urgent_ticket(sla, start):
    """Urgent: response within 1 clock hour (75% at +45 min), completion in 3 working days."""
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, start, urgency="urgent", sla_class="urgent")
    return unit, ticket


async def test_warnings_then_overdue_each_once(sla, replicas, events):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))  # response: 24 clock hours
    scheduler = replicas()
    for hour, minute in ((3, 0), (4, 0), (4, 30), (8, 0), (9, 0), (10, 0), (11, 0)):
        await scheduler.step(at(2026, 11, 3, hour, minute))
    response = [e for e in await ticket.staged() if e["data"]["clock"] == "response"]
    assert announced(response) == [("sla.warning", "response", "75%"),
                                   ("sla.warning", "response", "2h"),
                                   ("sla.overdue", "response", "")]
    assert response[0]["data"]["seconds_left"] == 6 * 3600  # at 04:00, 75% was due then
    assert response[2]["data"]["deadline"] == "2026-11-03T02:00:00Z"
    seen = await collect(events, announcement(ticket.number), count=3)
    assert {m["_routing_key"] for m in seen} == {f"sla.warning.{unit}", f"sla.overdue.{unit}"}
    clock = await ticket.clock(unit, "response")
    assert clock["state"] == "breached" and clock["next_check_at"] is None


async def test_completion_warning_counts_working_hours(sla, replicas):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 9, 30, 10))  # due 2026-10-13 10:00
    await ticket.send("ticket.signed", at(2026, 9, 30, 10, 5), unit_code=unit)
    await replicas().step(at(2026, 10, 13, 8, 30))
    warnings = [e["data"] for e in await ticket.staged() if e["data"]["clock"] == "completion"]
    # 75% of 120 working hours is 90: Sep 30 14 h, Oct 8 24 h, Oct 9 24 h, Oct 10 24 h, Oct 12 4 h.
    assert [(w["level"], w["seconds_left"]) for w in warnings] == [("75%", 5400), ("2h", 5400)]
    assert (await ticket.clock(unit, "completion"))["next_check_at"] == at(2026, 10, 13, 10)


async def test_overdue_once_with_two_replicas_at_the_same_instant(sla, replicas, events):
    start = at(2026, 11, 2, 9)
    tickets = [await urgent_ticket(sla, start) for _ in range(40)]
    first, second = replicas(), replicas()
    moment = at(2026, 11, 2, 10, 1)
    await asyncio.gather(first.step(moment), second.step(moment),
                         first.step(moment), second.step(moment))
    for _, ticket in tickets:
        assert announced(await ticket.staged()) == [("sla.overdue", "response", "")]
    numbers = {ticket.number for _, ticket in tickets}
    await collect(events, announcement(*numbers), count=len(tickets))
    await drain(events, 0.5)
    overdue = [m for m in events.seen if announcement(*numbers)(m)]
    assert sorted(m["data"]["number"] for m in overdue) == sorted(numbers)


async def test_restart_misses_nothing_and_repeats_nothing(sla, replicas):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))  # response due 11-03 10:00
    before = replicas()
    await before.step(at(2026, 11, 2, 20))
    assert await ticket.staged() == []
    await before.db.dispose()  # the replica goes down; 75% (04:00) and 2h (08:00) pass

    after = replicas()
    await after.step(at(2026, 11, 3, 8, 30))
    assert announced(await ticket.staged()) == [("sla.warning", "response", "75%"),
                                                ("sla.warning", "response", "2h")]
    again = replicas()
    await again.step(at(2026, 11, 3, 9, 0))
    await after.step(at(2026, 11, 3, 9, 30))
    assert len(await ticket.staged()) == 2
    await again.step(at(2026, 11, 3, 10, 0))
    assert announced(await ticket.staged())[-1] == ("sla.overdue", "response", "")
    await after.step(at(2026, 11, 3, 12, 0))
    assert len(await ticket.staged()) == 3


async def test_after_a_long_outage_only_the_breach_is_announced(sla, replicas):
    unit, ticket = await urgent_ticket(sla, at(2026, 11, 2, 9))
    await replicas().step(at(2026, 11, 2, 12))
    response = [e for e in await ticket.staged() if e["data"]["clock"] == "response"]
    assert announced(response) == [("sla.overdue", "response", "")]
    clock = await ticket.clock(unit, "response")
    assert clock["warned_ratio_at"] is None and clock["overdue_at"] is not None


async def test_a_paused_or_stopped_clock_stays_silent(sla, replicas):
    _, paused = await urgent_ticket(sla, at(2026, 11, 2, 9))
    await paused.send("ticket.info_requested", at(2026, 11, 2, 9, 10), contact_phone="1", missing="x")
    signer, signed = await urgent_ticket(sla, at(2026, 11, 2, 9))
    await signed.send("ticket.signed", at(2026, 11, 2, 9, 20), unit_code=signer)
    await replicas().step(at(2026, 11, 2, 11))
    assert await paused.staged() == []
    assert await signed.staged() == []  # completion is due in 3 working days


async def test_the_apps_own_loop_announces_a_breach(sla, clock, events):
    unit, ticket = await urgent_ticket(sla, at(2026, 11, 2, 9))
    clock.at = at(2026, 11, 2, 10, 30)
    seen = await collect(events, announcement(ticket.number), count=1)
    assert [m["_routing_key"] for m in seen] == [f"sla.overdue.{unit}"]
    assert seen[0]["producer"] == "sla" and seen[0]["ticket_id"] == str(ticket.id)
