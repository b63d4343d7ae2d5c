"""sla.clock_changed: every start, pause, resume, move and stop of a clock goes out with its deadline."""

from datetime import UTC

from tests.sla.flow import Ticket, at, collect, unit_code


def iso(moment) -> str:
    """As the envelope carries it: UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_an_assignment_announces_both_deadlines_and_the_warning_point(sla, events):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))  # Monday
    response, completion = await ticket.changes()
    assert response == {"unit_code": unit, "number": ticket.number, "clock": "response",
                        "state": "running", "deadline": iso(at(2026, 11, 3, 10)),
                        "warn_at": iso(at(2026, 11, 3, 4))}  # 24 clock hours; 75% at 18 h
    # 5 working days; 75% of 120 working hours (Mon 14 h, Tue-Thu 72 h, Fri 4 h).
    assert (completion["clock"], completion["deadline"], completion["warn_at"]) == (
        "completion", iso(at(2026, 11, 9, 10)), iso(at(2026, 11, 6, 4)))
    seen = await collect(events, lambda m: m["data"].get("number") == ticket.number, count=2)
    assert {m["_routing_key"] for m in seen} == {f"sla.clock_changed.{unit}"}
    assert all(m["producer"] == "sla" and m["ticket_id"] == str(ticket.id) for m in seen)


async def test_signing_stops_the_response_clock(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.signed", at(2026, 11, 2, 11), unit_code=unit)
    assert (await ticket.changes())[-1] == {"unit_code": unit, "number": ticket.number,
                                            "clock": "response", "state": "stopped",
                                            "deadline": None, "warn_at": None}


async def test_pause_resume_and_extension_move_the_deadline(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.signed", at(2026, 11, 2, 11), unit_code=unit)
    before = len(await ticket.changes())
    await ticket.send("ticket.info_requested", at(2026, 11, 3, 10), contact_phone="1", missing="照片")
    [paused] = (await ticket.changes())[before:]
    assert (paused["clock"], paused["state"], paused["deadline"]) == ("completion", "paused", None)

    await ticket.send("ticket.supplemented", at(2026, 11, 4, 10), content="补充", media_ids=[],
                      status="in_progress")
    [resumed] = (await ticket.changes())[before + 1:]
    assert (resumed["state"], resumed["deadline"]) == ("running", iso(at(2026, 11, 10, 10)))

    granted = at(2026, 11, 20, 18)
    await ticket.send("ticket.extended", at(2026, 11, 5, 9), unit_code=unit, new_deadline=granted.isoformat())
    moved = (await ticket.changes())[-1]
    assert (moved["state"], moved["deadline"]) == ("running", iso(granted))
    assert moved["warn_at"] > resumed["warn_at"]


async def test_a_reopened_ticket_restarts_the_completion_clock(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.resolved", at(2026, 11, 4, 10), unit_code=unit, result="已处理",
                      evidence_media_ids=[])
    stopped = await ticket.changes()
    assert {(c["clock"], c["state"]) for c in stopped[-2:]} == {("response", "stopped"),
                                                                ("completion", "stopped")}
    await ticket.send("ticket.reopened", at(2026, 11, 5, 10), reason="不满意", times=1, unit_codes=[unit])
    [restarted] = (await ticket.changes())[len(stopped):]
    assert (restarted["clock"], restarted["state"]) == ("completion", "running")
    assert restarted["deadline"] == iso(at(2026, 11, 12, 10))


async def test_units_without_a_clock_announce_nothing(sla):
    ticket = Ticket(sla.app)
    await ticket.assign("cc-532622", at(2026, 11, 2, 10), role="dispatch", reason="manual_queue")
    await ticket.assign(unit_code("co"), at(2026, 11, 2, 10), role="cooperating")
    assert await ticket.changes() == []


async def test_a_redelivered_event_announces_nothing_twice(sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    envelope = ticket.envelope("ticket.assigned", at(2026, 11, 2, 10), unit_code=unit, unit_name=unit,
                               role="lead", assignment_id="a1", category="municipal.noise",
                               urgency="normal", sla_class="normal", statutory_days=None,
                               ticket_type="complaint", region_code=ticket.region, reason="auto",
                               suggestions=[])
    assert await sla.app.state.consumer.process(envelope)
    assert not await sla.app.state.consumer.process(envelope)
    assert len(await ticket.changes()) == 2
