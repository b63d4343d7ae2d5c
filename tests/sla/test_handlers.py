"""Clocks follow the ticket's life: each event fed as a real envelope through the consumer."""

from datetime import timedelta

import pytest
import structlog

from services.core.auth import Role
from tests.sla.flow import Ticket, at, unit_code


async def sla_of(sla, ticket, headers):
    return await sla.get(f"/v1/tickets/{ticket.number}/sla", headers=headers)


def by_kind(body: dict, unit: str) -> dict:
    return {c["kind"]: c for c in body["clocks"] if c["unit_code"] == unit and c["stopped_at"] is None}


async def test_assignment_starts_response_and_completion_clocks(sla, auth, clock):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 9, 30, 10))
    clock.at = at(2026, 10, 9, 10)
    response = await sla_of(sla, ticket, auth(Role.handler, unit, "532622"))
    assert response.status_code == 200, response.text
    clocks = by_kind(response.json(), unit)
    assert clocks["response"]["deadline"] == "2026-10-01T10:00:00+08:00"  # 24 clock hours
    assert clocks["completion"]["deadline"] == "2026-10-13T10:00:00+08:00"  # 5 working days
    # Fri 14 h + make-up Saturday 24 h + Mon 24 h + Tue 10 h; Sunday does not count.
    assert clocks["completion"]["time_left_hours"] == 72.0
    assert clocks["completion"]["state"] == "running" and clocks["completion"]["overdue"] is False
    assert clocks["response"]["overdue"] is True
    assert clocks["response"]["warnings"] == {"75%": None, "2h": None}
    assert response.json()["estimated"] is False


async def test_who_may_read_a_tickets_clocks(sla, auth):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 9, 30, 10))
    allowed = [auth(Role.unit_leader, unit, "532622"), auth(Role.dispatcher, "cc-532622", "532622"),
               auth(Role.supervisor, None, "532600"), auth(Role.admin)]
    for headers in allowed:
        assert (await sla_of(sla, ticket, headers)).status_code == 200
    refused = [auth(Role.handler, "other-unit", "532622"), auth(Role.dispatcher, "cc-532601", "532601"),
               auth(Role.citizen)]
    for headers in refused:
        assert (await sla_of(sla, ticket, headers)).status_code == 404
    by_id = await sla.get(f"/v1/tickets/{ticket.id}/sla", headers=auth(Role.admin))
    assert by_id.json()["number"] == ticket.number


async def test_dispatch_queue_and_cooperating_units_start_no_clock(sla, auth):
    ticket = Ticket(sla.app)
    await ticket.assign("cc-532622", at(2026, 9, 30, 10), role="dispatch", reason="manual_queue")
    await ticket.assign(unit_code("co"), at(2026, 9, 30, 10), role="cooperating")
    assert await ticket.clocks() == {}
    response = await sla_of(sla, ticket, auth(Role.admin))
    assert response.status_code == 404 and response.json()["title"] == "未找到"


async def test_signing_stops_the_response_clock_in_time_or_late(sla):
    quick, slow, ticket = unit_code("quick"), unit_code("slow"), Ticket(sla.app)
    await ticket.assign(quick, at(2026, 11, 2, 9), urgency="urgent", correlation_id="d1")
    await ticket.assign(slow, at(2026, 11, 2, 9), role="responsible", urgency="urgent",
                        correlation_id="d1")
    await ticket.send("ticket.signed", at(2026, 11, 2, 9, 40), unit_code=quick)
    await ticket.send("ticket.signed", at(2026, 11, 2, 10, 5), unit_code=slow)
    assert (await ticket.clock(quick, "response"))["state"] == "met"
    assert (await ticket.clock(slow, "response"))["state"] == "breached"
    assert (await ticket.clock(slow, "completion"))["state"] == "running"


async def test_a_sign_seen_before_its_assignment_still_counts(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.send("ticket.signed", at(2026, 11, 2, 9, 30), unit_code=unit)
    await ticket.assign(unit, at(2026, 11, 2, 9))
    assert (await ticket.clock(unit, "response"))["state"] == "met"


async def test_pending_info_pauses_and_the_paused_time_does_not_count(sla, auth, clock):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))  # Monday
    await ticket.send("ticket.info_requested", at(2026, 11, 2, 16), contact_phone="13800000000",
                      missing="请补充具体地址")
    clock.at = at(2026, 11, 4, 12)
    paused = by_kind((await sla_of(sla, ticket, auth(Role.admin))).json(), unit)
    assert paused["completion"]["state"] == "paused"
    assert paused["completion"]["time_left_hours"] == 5 * 24 - 6  # frozen at the pause
    assert (await ticket.clock(unit, "completion"))["next_check_at"] is None

    await ticket.send("ticket.supplemented", at(2026, 11, 4, 16), content="在振兴街 18 号",
                      media_ids=[], status="accepted")
    resumed = by_kind((await sla_of(sla, ticket, auth(Role.admin))).json(), unit)
    assert resumed["response"]["deadline"] == "2026-11-05T10:00:00+08:00"  # 48 h later
    assert resumed["completion"]["deadline"] == "2026-11-11T10:00:00+08:00"  # 2 working days later
    assert resumed["completion"]["state"] == "running"
    assert resumed["completion"]["paused_hours"] == 48.0


async def test_pause_over_a_weekend_moves_only_working_time(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.info_requested", at(2026, 11, 6, 20), contact_phone="1", missing="x")
    await ticket.send("ticket.supplemented", at(2026, 11, 9, 2), content="y", media_ids=[], status="accepted")
    completion = await ticket.clock(unit, "completion")
    assert completion["deadline"] == at(2026, 11, 9, 16)  # Fri 20:00–24:00 and Mon 00:00–02:00
    assert completion["paused_seconds"] == 6 * 3600


async def test_extension_moves_the_completion_deadline(sla, auth):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.extended", at(2026, 11, 6, 10), unit_code=unit,
                      new_deadline="2026-11-20T10:00:00Z")
    completion = await ticket.clock(unit, "completion")
    assert completion["deadline"] == at(2026, 11, 20, 18)
    assert completion["extended_count"] == 1
    # The next look is the 75% point of the new allowance, not the old one's.
    assert completion["next_check_at"] > at(2026, 11, 9, 10)
    body = (await sla_of(sla, ticket, auth(Role.admin))).json()
    assert by_kind(body, unit)["completion"]["extended"] == 1
    assert by_kind(body, unit)["response"]["deadline"] == "2026-11-03T10:00:00+08:00"


async def test_a_transfer_stops_the_previous_units_clocks(sla):
    first, second, third, ticket = unit_code("a"), unit_code("b"), unit_code("c"), Ticket(sla.app)
    await ticket.assign(first, at(2026, 11, 2, 10), correlation_id="first")
    await ticket.assign(second, at(2026, 11, 2, 15), reason="transfer", correlation_id="again")
    await ticket.assign(third, at(2026, 11, 2, 15), role="responsible", reason="transfer",
                        correlation_id="again")
    clocks = await ticket.clocks()
    assert {clocks[(first, kind, 1)]["state"] for kind in ("response", "completion")} == {"stopped"}
    assert clocks[(first, "completion", 1)]["ended_by"] == "transfer"
    for unit in (second, third):  # assigned together: neither replaces the other
        assert clocks[(unit, "completion", 1)]["state"] == "running"
        assert clocks[(unit, "completion", 1)]["started_at"] == at(2026, 11, 2, 15)


@pytest.mark.parametrize("kept_first", [True, False])
async def test_a_unit_kept_by_a_transfer_starts_afresh_whichever_event_comes_first(sla, kept_first):
    kept, old, new, ticket = unit_code("kept"), unit_code("old"), unit_code("new"), Ticket(sla.app)
    await ticket.assign(old, at(2026, 11, 2, 10), correlation_id="first")
    await ticket.assign(kept, at(2026, 11, 2, 10), role="responsible", correlation_id="first")
    transfer = [(kept, "responsible"), (new, "lead")]
    for unit, role in transfer if kept_first else reversed(transfer):
        await ticket.assign(unit, at(2026, 11, 3, 10), role=role, reason="transfer",
                            correlation_id="second")
    clocks = await ticket.clocks()
    assert clocks[(old, "completion", 1)]["state"] == "stopped"
    assert clocks[(kept, "completion", 1)]["state"] == "stopped"
    assert clocks[(kept, "completion", 2)]["state"] == "running"
    assert clocks[(kept, "completion", 2)]["started_at"] == at(2026, 11, 3, 10)
    assert clocks[(new, "completion", 1)]["state"] == "running"


async def test_return_stops_only_that_unit(sla):
    lead, helper, ticket = unit_code("lead"), unit_code("helper"), Ticket(sla.app)
    await ticket.assign(lead, at(2026, 11, 2, 10), correlation_id="d")
    await ticket.assign(helper, at(2026, 11, 2, 10), role="responsible", correlation_id="d")
    await ticket.send("ticket.returned", at(2026, 11, 2, 12), unit_code=lead, reason="不属于本单位职责")
    assert (await ticket.clock(lead, "completion"))["state"] == "stopped"
    assert (await ticket.clock(helper, "completion"))["state"] == "running"


async def test_resolution_judges_and_merging_only_stops(sla):
    unit, ticket, merged = unit_code("town"), Ticket(sla.app), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.signed", at(2026, 11, 2, 11), unit_code=unit)
    await ticket.send("ticket.resolved", at(2026, 11, 10, 10), unit_code=unit, result="已处理",
                      evidence_media_ids=[])
    assert (await ticket.clock(unit, "completion"))["state"] == "breached"  # due 11-09 10:00
    await merged.assign(unit, at(2026, 11, 2, 10))
    await merged.send("ticket.merged", at(2026, 11, 20, 10), master_number=ticket.number)
    assert {c["state"] for c in (await merged.clocks()).values()} == {"stopped"}


async def test_reopening_starts_a_new_completion_cycle(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.resolved", at(2026, 11, 4, 10), unit_code=unit, result="已处理",
                      evidence_media_ids=[])
    await ticket.send("ticket.reopened", at(2026, 11, 5, 10), reason="不满意", times=1,
                      unit_codes=[unit])
    first, second = await ticket.clock(unit, "completion"), await ticket.clock(unit, "completion", 2)
    assert first["state"] == "met"
    assert second["state"] == "running" and second["deadline"] == at(2026, 11, 12, 10)


async def test_urgency_change_recomputes_the_limits(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.urgency_changed", at(2026, 11, 2, 10, 30), urgency="urgent")
    assert (await ticket.clock(unit, "response"))["deadline"] == at(2026, 11, 2, 11)
    assert (await ticket.clock(unit, "completion"))["deadline"] == at(2026, 11, 5, 10)


async def test_statutory_limit_overrides_and_complex_tickets_get_15_days(sla):
    legal, complex_, ticket = unit_code("legal"), unit_code("complex"), Ticket(sla.app)
    await ticket.assign(legal, at(2026, 11, 2, 10), statutory_days=10, correlation_id="d")
    await ticket.assign(complex_, at(2026, 11, 2, 10), role="responsible", sla_class="complex",
                        correlation_id="d")
    assert (await ticket.clock(legal, "completion"))["deadline"] == at(2026, 11, 16, 10)
    assert (await ticket.clock(complex_, "completion"))["deadline"] == at(2026, 11, 23, 10)


async def test_a_redelivered_event_has_no_second_effect(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    extended = ticket.envelope("ticket.extended", at(2026, 11, 3, 10), unit_code=unit,
                               new_deadline="2026-11-30T02:00:00Z")
    assert await sla.app.state.consumer.process(extended) is True
    assert await sla.app.state.consumer.process(extended) is False
    assert (await ticket.clock(unit, "completion"))["extended_count"] == 1


async def test_an_estimated_year_is_flagged_and_logged_once(sla, auth):
    unit = unit_code("town")
    with structlog.testing.capture_logs() as logs:
        for day in (26, 27):
            await Ticket(sla.app).assign(unit, at(2033, 12, day, 10))
    ticket = Ticket(sla.app)
    await ticket.assign(unit, at(2033, 12, 28, 10))
    body = (await sla_of(sla, ticket, auth(Role.admin))).json()
    assert body["estimated"] is True
    assert by_kind(body, unit)["completion"]["deadline"].startswith("2034-01-")
    flagged = [e for e in logs if e["event"] == "sla.calendar.estimated_year"]
    assert sorted(e["year"] for e in flagged) == [2033, 2034]


def test_helpers_use_shanghai_time():
    assert at(2026, 1, 1).utcoffset() == timedelta(hours=8)
