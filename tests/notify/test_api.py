"""The message log for the command center, and templates administrators can edit."""

from services.core.auth import Role
from services.notify.messages import masked
from services.notify.templates import DEFAULT_TEMPLATES
from tests.notify.world import all_sent, rows_until, staff_headers

ACCEPTED_SMS = "/v1/templates/ticket.accepted/citizen/sms"


async def failed_message(world, db, region_code=None):
    county = {"region": region_code} if region_code else await world.county()
    ticket = await world.ticket(county["region"], contact_phone="12000000001")
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})
    [row] = await rows_until(
        db, lambda rows: rows and rows[0]["status"] == "failed", event_id=event.id
    )
    return ticket, row


async def test_the_command_center_sees_failed_messages_of_its_county_masked(
    world, db, notify, settings
):
    ticket, row = await failed_message(world, db)
    county = ticket["region_code"]

    dispatcher = await notify.get(
        "/v1/messages",
        params={"status": "failed", "ticket": ticket["number"]},
        headers=staff_headers(settings.jwt_secret, Role.dispatcher, county),
    )
    admin = await notify.get(
        "/v1/messages",
        params={"phone": "12000000001", "ticket": ticket["number"]},
        headers=staff_headers(settings.jwt_secret),
    )
    elsewhere = await notify.get(
        "/v1/messages",
        params={"ticket": ticket["number"]},
        headers=staff_headers(settings.jwt_secret, Role.dispatcher, "532622"),
    )

    assert dispatcher.status_code == 200, dispatcher.text
    [seen] = dispatcher.json()
    assert (seen["id"], seen["status"], seen["error_code"]) == (
        str(row["id"]),
        "failed",
        "isv.MOBILE_NUMBER_ILLEGAL",
    )
    assert seen["recipient"] == "120****0001" and "12000000001" not in dispatcher.text
    # Two segments: the acknowledgment carries the link to the ticket's H5 page.
    assert [(m["recipient"], m["segments"]) for m in admin.json()] == [("12000000001", 2)]
    assert elsewhere.json() == []


async def test_handlers_and_anonymous_callers_cannot_read_the_log(notify, settings):
    handler = await notify.get(
        "/v1/messages", headers=staff_headers(settings.jwt_secret, Role.handler)
    )
    anonymous = await notify.get("/v1/messages")

    assert handler.status_code == 403 and anonymous.status_code == 401


async def test_bad_filters_are_422_naming_the_field(notify, settings):
    response = await notify.get(
        "/v1/messages", params={"status": "lost"}, headers=staff_headers(settings.jwt_secret)
    )

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


async def test_a_failed_message_can_be_sent_again_once_fixed(world, db, notify, settings, fake):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    fake.fail_next("aliyun", "isv.SMS_TEMPLATE_ILLEGAL", to=ticket["contact_phone"])
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})
    [row] = await rows_until(
        db, lambda rows: rows and rows[0]["status"] == "failed", event_id=event.id
    )
    admin = staff_headers(settings.jwt_secret)

    response = await notify.post(f"/v1/messages/{row['id']}/retry", headers=admin)

    assert response.status_code == 200 and response.json()["status"] == "queued"
    await rows_until(db, all_sent(1), event_id=event.id)
    assert len([m for m in fake.sent if m.to == ticket["contact_phone"]]) == 1
    again = await notify.post(f"/v1/messages/{row['id']}/retry", headers=admin)
    assert again.status_code == 404


async def test_admins_list_every_template_with_a_preview(notify, settings):
    response = await notify.get("/v1/templates", headers=staff_headers(settings.jwt_secret))

    assert response.status_code == 200
    templates = response.json()
    assert len(templates) == len(DEFAULT_TEMPLATES)
    accepted = next(
        t
        for t in templates
        if (t["kind"], t["audience"], t["channel"]) == ("ticket.accepted", "citizen", "sms")
    )
    # Two segments: the acknowledgment carries the link to the ticket's H5 page.
    assert accepted["source"] == "default" and accepted["preview"]["segments"] == 2
    assert "WS20250305000123" in accepted["preview"]["text"]


async def test_an_edited_template_is_used_for_the_next_event_and_can_be_reset(
    world, db, notify, settings, fake
):
    admin = staff_headers(settings.jwt_secret)
    edit = {
        "code": "SMS_TICKET_ACCEPTED_V2",
        "body": "诉求${number}已受理，承办单位将在${limit}内办理。",
        "params": {"number": "{{ ticket_number }}", "limit": "{{ time_limit }}"},
    }

    saved = await notify.put(ACCEPTED_SMS, json=edit, headers=admin)
    try:
        assert saved.status_code == 200, saved.text
        assert saved.json()["source"] == "custom" and saved.json()["updated_by"] == "test-admin"
        county = await world.county()
        ticket = await world.ticket(county["region"])
        event = await world.publish(
            "ticket.accepted", {"number": ticket["number"], "region_code": "x"}
        )
        [row] = await rows_until(db, all_sent(1), event_id=event.id)
        assert row["provider_template"] == "SMS_TICKET_ACCEPTED_V2"
        assert (
            row["text"]
            == f"【文山接诉即办】诉求{ticket['number']}已受理，承办单位将在5个工作日内办理。"
        )
    finally:
        reset = await notify.delete(ACCEPTED_SMS, headers=admin)
    assert reset.status_code == 200 and reset.json()["source"] == "default"


async def test_a_template_naming_what_events_do_not_carry_is_refused(notify, settings):
    admin = staff_headers(settings.jwt_secret)
    unknown_name = {"code": "X", "body": "诉求${number}", "params": {"number": "{{ ticket_no }}"}}
    unmapped = {
        "code": "X",
        "body": "诉求${number}${extra}",
        "params": {"number": "{{ ticket_number }}"},
    }
    wechat_missing = {"template_id": "X", "page": "pages/x"}

    responses = [
        await notify.put(ACCEPTED_SMS, json=unknown_name, headers=admin),
        await notify.put(ACCEPTED_SMS, json=unmapped, headers=admin),
        await notify.put(
            "/v1/templates/ticket.accepted/citizen/wechat", json=wechat_missing, headers=admin
        ),
    ]

    assert [r.status_code for r in responses] == [422, 422, 422]
    assert [r.json()["errors"][0]["field"] for r in responses] == [
        "params.number",
        "params",
        "data",
    ]
    assert (await notify.get(ACCEPTED_SMS, headers=admin)).json()["source"] == "default"


async def test_only_admins_edit_templates_and_only_known_ones(notify, settings):
    dispatcher = staff_headers(settings.jwt_secret, Role.dispatcher, "532622")
    body = {"code": "X", "body": "诉求${number}", "params": {"number": "{{ ticket_number }}"}}

    assert (await notify.put(ACCEPTED_SMS, json=body, headers=dispatcher)).status_code == 403
    unknown = await notify.get(
        "/v1/templates/ticket.lost/citizen/sms", headers=staff_headers(settings.jwt_secret)
    )
    assert unknown.status_code == 404


def test_masked_recipients_hide_the_middle_but_stay_distinct():
    assert masked("sms", "13812345678") == "138****5678"
    openids = ["oDemo-532622100", "oDemo-532622101"]
    assert [masked("wechat", o) for o in openids] == ["oDem****2100", "oDem****2101"]
