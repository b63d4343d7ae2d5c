"""Quiet nights for citizens and no more than five SMS an hour per phone: delayed, never dropped."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notify.policy import SHANGHAI, free_at, quiet_until
from tests.notify.world import all_sent, message_rows, rows_until


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at(21, 59), None),
        (at(22, 0), at(8, 0, day=6)),
        (at(23, 30), at(8, 0, day=6)),
        (at(0, 10), at(8, 0)),
        (at(7, 59), at(8, 0)),
        (at(8, 0), None),
    ],
)
def test_quiet_hours_run_from_ten_at_night_to_eight_in_wenshan(now, until):
    assert quiet_until(now.astimezone(UTC), start_hour=22, end_hour=8) == until


def test_messages_to_one_phone_claimed_together_are_counted_one_by_one():
    now = at(10)
    recent = [at(9, 30), at(9, 45)]  # two SMS already this hour

    holds = [free_at(recent, now, limit=5) for _ in range(5)]

    assert holds == [None, None, None, at(10, 30), at(10, 30)]  # the 4th and 5th wait
    assert recent == [at(9, 30), at(9, 45), now, now, now]


async def test_a_citizen_message_at_night_waits_for_the_morning(world, db, fake, clock, notify):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    night = datetime.now(SHANGHAI).replace(hour=23, minute=10) + timedelta(days=1)
    clock.set(night)

    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    [row] = await rows_until(
        db, lambda rows: rows and rows[0]["status"] == "deferred", event_id=event.id
    )
    morning = (night + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    assert row["next_attempt_at"] == morning
    assert not [m for m in fake.sent if m.to == ticket["contact_phone"]]

    clock.set(morning + timedelta(seconds=1))
    notify.app.state.sender.wake()

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert row["sent_at"] >= morning
    assert [m.template for m in fake.sent if m.to == ticket["contact_phone"]] == [
        "SMS_TICKET_ACCEPTED"
    ]


async def test_codes_urgent_tickets_and_staff_alerts_do_not_wait_for_the_morning(world, db, clock):
    county = await world.county()
    clock.set(datetime.now(SHANGHAI).replace(hour=2, minute=0) + timedelta(days=1))
    urgent = await world.ticket(county["region"], urgency="urgent")

    code = await world.publish(
        "auth.code_requested",
        {"phone": urgent["contact_phone"], "code": "135790", "expires_in": 300},
    )
    accepted = await world.publish(
        "ticket.accepted", {"number": urgent["number"], "region_code": "x"}
    )
    overdue = await world.publish(
        "sla.overdue",
        {
            "number": urgent["number"],
            "unit_code": county["town"]["code"],
            "clock": "response",
            "deadline": clock().isoformat(),
        },
        unit=county["town"]["code"],
    )

    await rows_until(db, all_sent(1), event_id=code.id)
    await rows_until(db, all_sent(1), event_id=accepted.id)
    await rows_until(db, all_sent(3), event_id=overdue.id)
    [alert] = await message_rows(
        db, ticket_number=urgent["number"], template="ticket.urgent_created"
    )
    assert alert["status"] == "sent"


async def test_the_sixth_sms_within_an_hour_waits_and_then_goes(world, db, fake, clock, notify):
    county = await world.county()
    citizen = (await world.ticket(county["region"]))["contact_phone"]
    tickets = [await world.ticket(county["region"], contact_phone=citizen) for _ in range(6)]

    events = []
    for ticket in tickets:  # one after the other, as a busy hour would bring them
        events.append(
            await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})
        )
        await rows_until(
            db,
            lambda rows: rows and rows[0]["status"] in ("sent", "deferred"),
            event_id=events[-1].id,
        )
    code = await world.publish(
        "auth.code_requested", {"phone": citizen, "code": "246801", "expires_in": 300}
    )

    rows = [(await message_rows(db, event_id=e.id))[0] for e in events]
    assert [r["status"] for r in rows] == ["sent"] * 5 + ["deferred"]
    assert rows[5]["next_attempt_at"] == rows[0]["claimed_at"] + timedelta(hours=1)
    await rows_until(db, all_sent(1), event_id=code.id)  # login codes are not limited
    assert len([m for m in fake.sent if m.to == citizen]) == 6

    clock.set(rows[5]["next_attempt_at"] + timedelta(seconds=1))
    notify.app.state.sender.wake()

    await rows_until(db, all_sent(1), event_id=events[5].id)
    assert len([m for m in fake.sent if m.to == citizen]) == 7
