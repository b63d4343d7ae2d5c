"""WeChat for citizens of the mini-program, SMS when WeChat cannot deliver; Tencent SMS."""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update

from services.core.events import Envelope
from services.notify.handlers import on_code_requested
from services.notify.messages import enqueue
from services.notify.models import messages
from services.notify.providers import TencentSmsProvider
from services.notify.sender import Sender
from tests.notify.world import all_sent, message_rows, notify_settings, openid, phone, rows_until


async def accepted(world, ticket):
    return await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})


async def test_wechat_refusal_falls_back_to_sms(world, db, fake, events):
    county = await world.county()
    ticket = await world.ticket(county["region"], citizen_openid=openid())
    fake.fail_next(
        "wechat", 43101, to=ticket["citizen_openid"]
    )  # the citizen refused the subscription

    event = await accepted(world, ticket)

    rows = await rows_until(
        db, lambda rows: [r["status"] for r in rows] == ["fallback", "sent"], event_id=event.id
    )
    wechat, sms = rows
    assert (wechat["channel"], wechat["error_code"]) == ("wechat", "43101")
    assert (sms["channel"], sms["recipient"], sms["fallback_of"]) == (
        "sms",
        ticket["contact_phone"],
        wechat["id"],
    )
    assert [m.template for m in fake.sent if m.to == ticket["contact_phone"]] == [
        "SMS_TICKET_ACCEPTED"
    ]
    await events.drain(0.3)
    assert not [
        m
        for m in events.seen
        if m["type"] == "notify.failed" and m["data"]["message_id"] == str(wechat["id"])
    ]


async def test_wechat_down_for_every_attempt_falls_back_to_sms(world, db, fake, clock, notify):
    county = await world.county()
    ticket = await world.ticket(county["region"], citizen_openid=openid())
    fake.fail_next("wechat", -1, times=5, to=ticket["citizen_openid"])  # 系统繁忙

    event = await accepted(world, ticket)
    for attempt in range(1, 5):
        await rows_until(
            db,
            lambda rows, n=attempt: (
                rows and rows[0]["attempts"] == n and rows[0]["status"] == "queued"
            ),
            event_id=event.id,
        )
        clock.advance(timedelta(hours=1))
        notify.app.state.sender.wake()

    rows = await rows_until(
        db, lambda rows: [r["status"] for r in rows] == ["fallback", "sent"], event_id=event.id
    )
    assert rows[1]["recipient"] == ticket["contact_phone"]


async def test_the_access_token_is_reused_and_refreshed_when_wechat_expires_it(world, db, fake):
    county = await world.county()
    first = await world.ticket(county["region"], citizen_openid=openid())
    await rows_until(db, all_sent(1), event_id=(await accepted(world, first)).id)
    fetches = fake.token_fetches

    second = await world.ticket(county["region"], citizen_openid=openid())
    await rows_until(db, all_sent(1), event_id=(await accepted(world, second)).id)
    assert fake.token_fetches == fetches  # the cached token served

    fake.expire_token()
    third = await world.ticket(county["region"], citizen_openid=openid())
    [row] = await rows_until(db, all_sent(1), event_id=(await accepted(world, third)).id)

    assert fake.token_fetches == fetches + 1 and row["attempts"] == 1
    assert [m.to for m in fake.messages("wechat")][-1] == third["citizen_openid"]


async def test_tencent_sms_sends_through_tencent_cloud(notify, db, fake, clock):
    app = notify.app
    number, later = phone(), clock() + timedelta(days=2)
    async with db.transaction() as session:  # due only for the Tencent sender, two days ahead
        envelope = Envelope(
            id=uuid.uuid4(),
            type="auth.code_requested",
            occurred_at=later,
            producer="test",
            data={"phone": number, "code": "975310"},
        )
        await enqueue(
            session, envelope, await on_code_requested(session, envelope), sign_name="文山接诉即办"
        )
        await session.execute(
            update(messages).where(messages.c.recipient == number).values(next_attempt_at=later)
        )
    async with httpx.AsyncClient(timeout=5) as client:
        tencent = TencentSmsProvider(
            client,
            secret_id=fake.tencent_secret_id,
            secret_key=fake.tencent_secret_key,
            sdk_app_id=fake.tencent_sdk_app_id,
            base_url=fake.base_url,
        )
        sender = Sender(
            app.state.db,
            app.state.outbox,
            sms=tencent,
            wechat=app.state.sender.wechat,
            settings=notify_settings(fake),
            clock=lambda: later,
        )
        while await sender.run_once():
            pass

    [row] = await message_rows(db, recipient=number)
    [sms] = [m for m in fake.messages("tencent") if m.to == f"+86{number}"]
    assert (row["status"], row["provider"], row["provider_message_id"]) == (
        "sent",
        "tencent",
        sms.message_id,
    )
    assert sms.params == ["975310"] and sms.sign_name == "文山接诉即办"
