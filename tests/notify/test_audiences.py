"""Who hears what: real events on the broker become messages in the fake providers' inboxes."""

from datetime import timedelta

import pytest

from services.notify.models import ticket_units
from tests.notify.world import all_sent, message_rows, phone, rows_until


def inbox(fake, provider: str, to: str) -> list:
    return [m for m in fake.sent if m.provider == provider and m.to == to]


async def test_login_code_goes_by_sms_at_once_and_is_not_kept(publish, db, fake):
    number = phone()
    event = await publish(
        "auth.code_requested", {"phone": number, "code": "482913", "expires_in": 300}
    )

    [row] = await rows_until(db, all_sent(1), event_id=event.id)

    [sms] = inbox(fake, "aliyun", number)
    assert (sms.template, sms.params, sms.sign_name) == (
        "SMS_AUTH_CODE",
        {"code": "482913"},
        "文山接诉即办",
    )
    assert "482913" not in row["text"] and row["params"] == {"code": "******"}
    assert row["provider"] == "aliyun" and row["provider_message_id"] == sms.message_id


CITIZEN_EVENTS = [
    ("ticket.accepted", {"region_code": "x"}, "SMS_TICKET_ACCEPTED"),
    (
        "ticket.rejected",
        {"reason_code": "litigation", "reason": "已进入诉讼程序"},
        "SMS_TICKET_REJECTED",
    ),
    ("ticket.info_requested", {"missing": "门牌号"}, "SMS_TICKET_INFO_REQUESTED"),
    ("ticket.replied", {"unit_code": "u", "text": "已安排清运"}, "SMS_TICKET_REPLIED"),
    (
        "ticket.resolved",
        {"unit_code": "u", "result": "已清运完毕", "evidence_media_ids": []},
        "SMS_TICKET_RESOLVED",
    ),
    ("ticket.reopened", {"reason": "不满意", "times": 1, "unit_codes": []}, "SMS_TICKET_REOPENED"),
]


@pytest.mark.parametrize(
    ("event_type", "data", "template"), CITIZEN_EVENTS, ids=[e[0] for e in CITIZEN_EVENTS]
)
async def test_citizen_hears_each_step_of_the_ticket(
    world, publish, db, fake, event_type, data, template
):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    payload = {**data, "number": ticket["number"], "contact_phone": ticket["contact_phone"]}

    event = await publish(event_type, payload, ticket_id=ticket["ticket_id"])

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert (row["audience"], row["channel"], row["recipient"]) == (
        "citizen",
        "sms",
        ticket["contact_phone"],
    )
    [sms] = inbox(fake, "aliyun", ticket["contact_phone"])
    assert sms.template == template and sms.params["number"] == ticket["number"]


async def test_citizen_with_an_openid_hears_by_wechat_in_the_mini_program(world, publish, db, fake):
    county = await world.county()
    ticket = await world.ticket(county["region"], citizen_openid="oCitizen0123456789abcdefgh")

    event = await publish(
        "ticket.accepted", {"number": ticket["number"], "region_code": county["region"]}
    )

    await rows_until(db, all_sent(1), event_id=event.id)
    [message] = inbox(fake, "wechat", "oCitizen0123456789abcdefgh")
    assert message.page == f"pages/ticket/detail?number={ticket['number']}"
    assert (
        message.params["phrase2"] == "已受理"
        and message.params["character_string1"] == ticket["number"]
    )
    assert inbox(fake, "aliyun", ticket["contact_phone"]) == []


async def test_assigned_unit_handlers_hear_by_sms_and_wechat(world, db, fake):
    county = await world.county(openids=1)
    town = county["town"]
    ticket = await world.ticket(county["region"])

    event = await world.assign(ticket, town)

    rows = await rows_until(db, all_sent(2), event_id=event.id)
    assert {(r["audience"], r["channel"]) for r in rows} == {
        ("handler", "sms"),
        ("handler", "wechat"),
    }
    [sms] = inbox(fake, "aliyun", town["handler_phones"][0])
    assert sms.template == "SMS_HANDLER_ASSIGNED" and sms.params["limit"] == "5个工作日"
    assert sms.params["category"] == "市容环境"  # its name, not routing's code
    [todo] = inbox(fake, "wechat", town["handler_openids"][0])
    assert todo.page.startswith("pages/staff/ticket")


async def test_the_command_center_manual_queue_is_not_texted(world, db):
    county = await world.county()
    ticket = await world.ticket(county["region"])

    event = await world.assign(ticket, county["center"], role="dispatch")
    later = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    await rows_until(db, all_sent(1), event_id=later.id)
    assert await message_rows(db, event_id=event.id) == []


async def supplement(world, ticket):
    return await world.publish(
        "ticket.supplemented",
        {
            "number": ticket["number"],
            "content": "补充门牌号",
            "media_ids": [],
            "status": "accepted",
        },
    )


async def test_supplement_reaches_the_units_handling_the_ticket_now(world, db, fake):
    county = await world.county()
    region = county["region"]
    police = await world.unit(f"{region}-police", region, kind="department")
    urban = await world.unit(f"{region}-urban", region, kind="department")
    ticket = await world.ticket(region)
    await world.assign(ticket, county["town"], decision="first")
    await world.until_known(ticket_units, number=ticket["number"], unit_code=county["town"]["code"])
    await world.assign(ticket, police, role="cooperating", decision="first")
    await world.until_known(ticket_units, number=ticket["number"], unit_code=police["code"])

    first = await supplement(world, ticket)

    rows = await rows_until(db, all_sent(2), event_id=first.id)
    assert {r["recipient"] for r in rows} == {
        county["town"]["handler_phones"][0],
        police["handler_phones"][0],
    }
    assert (
        inbox(fake, "aliyun", police["handler_phones"][0])[-1].template
        == "SMS_HANDLER_SUPPLEMENTED"
    )

    await world.assign(ticket, urban, reason="transfer", decision="second")
    await world.until_known(
        ticket_units, number=ticket["number"], unit_code=police["code"], active=False
    )
    after_transfer = await supplement(world, ticket)

    [row] = await rows_until(db, all_sent(1), event_id=after_transfer.id)
    assert row["recipient"] == urban["handler_phones"][0]


async def test_after_an_approved_return_no_unit_hears_until_dispatched_again(world, publish, db):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    await world.assign(ticket, county["town"])
    await world.until_known(ticket_units, number=ticket["number"], active=True)
    await publish(
        "ticket.returned",
        {"number": ticket["number"], "unit_code": county["town"]["code"], "reason": "非本单位职责"},
    )
    await world.until_known(ticket_units, number=ticket["number"], active=False)

    event = await supplement(world, ticket)

    await world.handled(event)
    assert await message_rows(db, event_id=event.id) == []


@pytest.mark.parametrize(
    ("event_type", "data", "template"),
    [
        (
            "ticket.completion_sent_back",
            {"reason": "缺现场照片", "by": "center"},
            "SMS_HANDLER_SENT_BACK",
        ),
        ("ticket.return_denied", {"reason": "属本单位职责"}, "SMS_HANDLER_RETURN_DENIED"),
        (
            "sla.warning",
            {"clock": "completion", "seconds_left": 7200, "level": "2h"},
            "SMS_SLA_WARNING",
        ),
    ],
)
async def test_the_unit_hears_what_is_asked_of_it(
    world, publish, db, fake, clock, event_type, data, template
):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    deadline = (clock() + timedelta(hours=2)).isoformat()
    payload = {
        "number": ticket["number"],
        "unit_code": county["town"]["code"],
        "deadline": deadline,
        **data,
    }

    event = await publish(event_type, payload, unit=county["town"]["code"])

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert row["audience"] == "handler" and row["recipient"] == county["town"]["handler_phones"][0]
    assert inbox(fake, "aliyun", row["recipient"])[-1].template == template


async def test_overdue_alerts_handlers_leader_and_command_center_at_once(
    world, publish, db, fake, clock
):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    deadline = (clock() - timedelta(hours=3)).isoformat()

    event = await publish(
        "sla.overdue",
        {
            "number": ticket["number"],
            "unit_code": county["town"]["code"],
            "clock": "completion",
            "deadline": deadline,
        },
        unit=county["town"]["code"],
    )

    rows = await rows_until(db, all_sent(3), event_id=event.id)
    assert {(r["audience"], r["recipient"]) for r in rows} == {
        ("handler", county["town"]["handler_phones"][0]),
        ("leader", county["town"]["leader_phones"][0]),
        ("center", county["center"]["handler_phones"][0]),
    }
    assert all(r["priority"] == "urgent" for r in rows)
    [center] = inbox(fake, "aliyun", county["center"]["handler_phones"][0])
    assert center.params["overdue"] == "3小时" and center.params["unit"] == county["town"]["name"]


async def test_completion_report_waits_for_the_unit_leader(world, publish, db, fake):
    county = await world.county()
    ticket = await world.ticket(county["region"])

    event = await publish(
        "ticket.completion_submitted",
        {"number": ticket["number"], "unit_code": county["town"]["code"]},
    )

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert (row["audience"], row["recipient"]) == ("leader", county["town"]["leader_phones"][0])
    assert inbox(fake, "aliyun", row["recipient"])[0].template == "SMS_LEADER_REVIEW"


@pytest.mark.parametrize(
    ("event_type", "data", "template"),
    [
        (
            "ticket.return_requested",
            {"reason": "非本单位职责", "evidence_media_ids": []},
            "SMS_CENTER_RETURN_REQUESTED",
        ),
        (
            "ticket.extension_requested",
            {"reason": "需协调施工", "requested_deadline": "2030-03-10T09:30:00+00:00"},
            "SMS_CENTER_EXTENSION_REQUESTED",
        ),
    ],
)
async def test_command_center_decides_returns_and_extensions(
    world, publish, db, fake, event_type, data, template
):
    county = await world.county()
    ticket = await world.ticket(county["region"])

    event = await publish(
        event_type, {"number": ticket["number"], "unit_code": county["town"]["code"], **data}
    )

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert (row["audience"], row["recipient"]) == ("center", county["center"]["handler_phones"][0])
    [sms] = inbox(fake, "aliyun", row["recipient"])
    assert sms.template == template and sms.params["unit"] == county["town"]["name"]


async def test_second_dissatisfaction_reaches_supervisors_too(world, publish, db, fake):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    assigned = await world.assign(ticket, county["town"])
    await rows_until(db, all_sent(1), event_id=assigned.id)

    event = await publish(
        "ticket.reopened",
        {"number": ticket["number"], "reason": "还是没修好", "times": 2, "unit_codes": []},
    )

    rows = await rows_until(db, all_sent(4), event_id=event.id)
    assert sorted(r["audience"] for r in rows) == ["citizen", "handler", "supervisor", "supervisor"]
    [alert] = inbox(fake, "aliyun", county["supervision"]["handler_phones"][0])
    assert (
        alert.template == "SMS_SUPERVISOR_DISSATISFIED"
        and alert.params["unit"] == county["town"]["name"]
    )


async def test_an_urgent_ticket_alerts_the_command_center_when_created(world, db, fake):
    county = await world.county()

    urgent = await world.ticket(county["region"], urgency="urgent")
    normal = await world.ticket(county["region"])

    [row] = await rows_until(db, all_sent(1), ticket_number=urgent["number"])
    assert (row["audience"], row["template"], row["priority"]) == (
        "center",
        "ticket.urgent_created",
        "urgent",
    )
    assert (
        inbox(fake, "aliyun", county["center"]["handler_phones"][0])[0].template
        == "SMS_CENTER_URGENT"
    )
    assert await message_rows(db, ticket_number=normal["number"]) == []
