"""The deadlines on the lists come from sla's events, late or out of order as they may be."""

from services.core.auth import Role
from tests.intake.desk import (
    ClockChanged,
    SlaWarning,
    assigned_ticket,
    clock_event,
    fresh_town,
    fresh_unit,
    hours,
    person,
    ticket_in,
    until_listed,
)
from tests.intake.flow import assign


def same(moment):
    return lambda value: value is not None and value.replace("Z", "+00:00") == moment.isoformat()


async def test_the_lead_units_deadlines_arrive_from_sla(intake, settings, channel_headers, staff):
    unit, town = fresh_unit(), fresh_town()
    number = await assigned_ticket(intake, settings, channel_headers, town, unit)
    response, response_warning, completion = hours(20), hours(14), hours(100)
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="response",
                                             state="running", deadline=response, warn_at=response_warning))
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=completion, warn_at=hours(70)))
    handler = person(intake, settings, Role.handler, unit)
    item = await until_listed(handler, number, lambda i: i["completion_due"] is not None
                              and i["response_due"] is not None)
    assert same(response)(item["response_due"]) and same(completion)(item["completion_due"])
    assert same(response_warning)(item["warn_at"])  # the earlier of the two clocks' warnings
    assert item["sla_state"] == "normal"

    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="response",
                                             state="stopped"))  # signed
    item = await until_listed(handler, number, lambda i: i["response_due"] is None)
    assert same(completion)(item["completion_due"]) and item["sla_state"] == "normal"


async def test_an_older_event_never_overwrites_a_newer_deadline(intake, settings, channel_headers, staff):
    unit, town = fresh_unit(), fresh_town()
    number = await assigned_ticket(intake, settings, channel_headers, town, unit)
    extended = hours(200)
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=extended, warn_at=hours(150)))
    center = staff["center"]
    await until_listed(center, number, lambda i: same(extended)(i["completion_due"]))
    stale = ClockChanged(unit_code=unit, number=number, clock="completion", state="running",
                         deadline=hours(-1), warn_at=hours(-5))
    await clock_event(settings, stale, at=hours(-2))  # published late: the deadline before extension
    marker = fresh_unit()  # an event after the stale one, to know it has been consumed
    await clock_event(settings, ClockChanged(unit_code=marker, number=number, clock="completion",
                                             state="running", deadline=hours(1)))
    await assign(settings, intake, number, marker, role="responsible")
    item = await until_listed(center, number, lambda i: marker in i["units"])
    assert same(extended)(item["completion_due"]) and item["sla_state"] == "normal"


async def test_warning_overdue_and_restart(intake, settings, channel_headers, staff):
    unit, town = fresh_unit(), fresh_town()
    number = await assigned_ticket(intake, settings, channel_headers, town, unit)
    due = hours(3)
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=due, warn_at=hours(1)))
    center = staff["center"]
    await until_listed(center, number, lambda i: i["sla_state"] == "normal")
    await clock_event(settings, SlaWarning(unit_code=unit, number=number, clock="completion", deadline=due))
    await until_listed(center, number, lambda i: i["sla_state"] == "warning")

    granted = hours(72)  # an extension restarts the count: no longer 即将超期
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=granted, warn_at=hours(60)))
    await until_listed(center, number, lambda i: i["sla_state"] == "normal")
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=hours(-1), warn_at=hours(-3)))
    item = await until_listed(center, number, lambda i: i["sla_state"] == "overdue")
    assert item["warn_at"] is not None


async def test_paused_and_other_units_clocks_leave_the_ticket_without_deadline(
        intake, settings, channel_headers, staff):
    unit, other, town = fresh_unit(), fresh_unit(), fresh_town()
    number = await assigned_ticket(intake, settings, channel_headers, town, unit)
    own = hours(50)
    await clock_event(settings, ClockChanged(unit_code=other, number=number, clock="completion",
                                             state="running", deadline=hours(5)))
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=own))
    center = staff["center"]
    await until_listed(center, number, lambda i: same(own)(i["completion_due"]))
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="paused"))  # 待完善
    item = await until_listed(center, number, lambda i: i["completion_due"] is None)
    assert item["sla_state"] is None and item["warn_at"] is None


async def test_a_clock_announced_before_the_assignment_shows_once_it_arrives(
        intake, settings, channel_headers, staff):
    unit, town = fresh_unit(), fresh_town()
    number = await ticket_in(intake, channel_headers, town)
    due = hours(30)
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="response",
                                             state="running", deadline=due, warn_at=hours(20)))
    await assign(settings, intake, number, unit)
    item = await until_listed(staff["center"], number, lambda i: i["response_due"] is not None)
    assert same(due)(item["response_due"])
