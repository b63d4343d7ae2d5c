"""Exactly once, retried when worth it, reported when not: the guarantees of issue 8."""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import update

from services.core.events import Envelope
from services.core.testing import running
from services.notify.app import create_app
from services.notify.handlers import on_code_requested
from services.notify.messages import enqueue
from services.notify.models import messages
from services.notify.sender import Sender
from tests.notify.world import all_sent, message_rows, notify_settings, phone, rows_until


def inbox(fake, to: str) -> list:
    return [m for m in fake.sent if m.to == to]


async def test_a_redelivered_event_sends_nothing_twice(world, publish, db, fake, notify):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    event = await publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})
    await rows_until(db, all_sent(1), event_id=event.id)

    await publish.send(event)  # the broker delivers it again
    [(_, consumer)] = notify.app.state.worker.consumers
    again = await consumer.process(event)  # and a replica that got it too late

    assert again is False
    await rows_until(db, all_sent(1), event_id=event.id)
    assert len(inbox(fake, ticket["contact_phone"])) == 1


async def test_two_replicas_send_each_message_once(settings, fake, session_clock, publish, db):
    """A second notify app competes for the same queue and the same due messages."""
    app_settings = settings.model_copy(
        update={"sms_provider": "aliyun", "wechat_provider": "wechat", "db_pool_size": 5}
    )
    replica = create_app(app_settings, notify_settings=notify_settings(fake), clock=session_clock)
    phones = [phone() for _ in range(40)]
    async with running(replica):
        events = [
            await publish("auth.code_requested", {"phone": p, "code": "123456", "expires_in": 300})
            for p in phones
        ]
        for event in events:
            await rows_until(db, all_sent(1), event_id=event.id)

    assert all(len(inbox(fake, p)) == 1 for p in phones)
    rows = [row for event in events for row in await message_rows(db, event_id=event.id)]
    assert {row["attempts"] for row in rows} == {1}


async def test_two_senders_racing_for_the_same_rows_send_each_once(notify, db, fake, clock):
    app = notify.app
    phones = [phone() for _ in range(30)]
    later = clock() + timedelta(days=1)
    async with db.transaction() as session:  # due only for senders living a day ahead
        for number in phones:
            envelope = Envelope(
                id=uuid.uuid4(),
                type="auth.code_requested",
                occurred_at=later,
                producer="test",
                data={"phone": number, "code": "654321"},
            )
            await enqueue(
                session, envelope, await on_code_requested(session, envelope), sign_name="测试"
            )
        await session.execute(
            update(messages).where(messages.c.recipient.in_(phones)).values(next_attempt_at=later)
        )
    racers = [
        Sender(
            app.state.db,
            app.state.outbox,
            sms=app.state.sender.sms,
            wechat=app.state.sender.wechat,
            settings=notify_settings(fake, notify_batch=10),
            clock=lambda: later + timedelta(seconds=1),
        )
        for _ in range(2)
    ]

    while sum(await asyncio.gather(*(racer.run_once() for racer in racers))):
        pass

    assert all(len(inbox(fake, number)) == 1 for number in phones)
    rows = await message_rows(db, event_type="auth.code_requested", template="auth.code_requested")
    mine = [row for row in rows if row["recipient"] in phones]
    assert len(mine) == 30 and {(row["status"], row["attempts"]) for row in mine} == {("sent", 1)}


class TakenOverWhileSending:
    """An SMS provider during whose call another replica takes over one message's lease."""

    def __init__(self, provider, db, taken: str):
        self.provider, self.db, self.taken = provider, db, taken
        self.name = provider.name

    async def send(self, msg):
        if msg.phone == self.taken:
            async with self.db.transaction() as session:  # the other replica's claim
                await session.execute(update(messages).where(messages.c.recipient == msg.phone)
                                      .values(attempts=messages.c.attempts + 1))
        return await self.provider.send(msg)


async def test_a_round_records_only_the_messages_it_still_owned(notify, db, fake, clock, events):
    app = notify.app
    phones = [phone() for _ in range(5)]
    later = clock() + timedelta(days=2)
    async with db.transaction() as session:  # due only for a sender living two days ahead
        for number in phones:
            envelope = Envelope(id=uuid.uuid4(), type="auth.code_requested", occurred_at=later,
                                producer="test", data={"phone": number, "code": "246810"})
            await enqueue(session, envelope, await on_code_requested(session, envelope), sign_name="测试")
        await session.execute(
            update(messages).where(messages.c.recipient.in_(phones)).values(next_attempt_at=later))
    sender = Sender(app.state.db, app.state.outbox,
                    sms=TakenOverWhileSending(app.state.sender.sms, db, taken=phones[0]),
                    wechat=app.state.sender.wechat, settings=notify_settings(fake),
                    clock=lambda: later + timedelta(seconds=1))

    await sender.run_once()

    rows = {row["recipient"]: row for row in await message_rows(db, event_type="auth.code_requested")
            if row["recipient"] in phones}
    assert rows[phones[0]]["status"] == "sending" and rows[phones[0]]["attempts"] == 2
    assert {(rows[p]["status"], rows[p]["attempts"]) for p in phones[1:]} == {("sent", 1)}
    assert all("246810" not in rows[p]["text"] for p in phones[1:])  # the code is not kept
    ids = {str(rows[p]["id"]): p for p in phones}
    await events.collect(lambda m: m["type"] == "notify.sent" and m["data"]["message_id"] in ids, count=4)
    await events.drain(0.5)
    announced = [ids[m["data"]["message_id"]] for m in events.seen
                 if m["type"] == "notify.sent" and m["data"]["message_id"] in ids]
    assert sorted(announced) == sorted(phones[1:])


async def test_a_transient_error_is_retried_with_backoff(world, db, fake, clock, notify):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    fake.fail_next("aliyun", "isp.SYSTEM_ERROR", to=ticket["contact_phone"])
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    [first] = await rows_until(
        db,
        lambda rows: rows and rows[0]["attempts"] == 1 and rows[0]["status"] == "queued",
        event_id=event.id,
    )
    assert first["error_code"] == "isp.SYSTEM_ERROR"
    assert timedelta(seconds=29) < first["next_attempt_at"] - clock() <= timedelta(seconds=30)
    assert inbox(fake, ticket["contact_phone"]) == []

    clock.advance(timedelta(seconds=31))
    notify.app.state.sender.wake()

    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    assert row["attempts"] == 2 and row["error_code"] is None
    assert len(inbox(fake, ticket["contact_phone"])) == 1


async def test_a_permanent_error_fails_at_once_and_is_reported(
    world, db, fake, events, notify, settings
):
    county = await world.county()
    ticket = await world.ticket(county["region"], contact_phone="12000000000")  # no such mobile
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    [row] = await rows_until(
        db, lambda rows: rows and rows[0]["status"] == "failed", event_id=event.id
    )

    assert (row["attempts"], row["error_code"]) == (1, "isv.MOBILE_NUMBER_ILLEGAL")
    [failed] = await events.collect(
        lambda m: m["type"] == "notify.failed" and m["data"]["message_id"] == str(row["id"])
    )
    assert failed["data"]["recipient"] == "120****0000"
    assert failed["data"]["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL"
    assert failed["data"]["ticket_number"] == ticket["number"]


async def test_transient_errors_stop_after_the_last_attempt(world, db, fake, events, clock, notify):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    fake.fail_http("aliyun", 503, times=5, to=ticket["contact_phone"])
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    for attempt in range(1, 5):
        [row] = await rows_until(
            db,
            lambda rows, n=attempt: (
                rows and rows[0]["attempts"] == n and rows[0]["status"] == "queued"
            ),
            event_id=event.id,
        )
        assert row["next_attempt_at"] - clock() <= timedelta(seconds=30 * 2 ** (attempt - 1))
        clock.advance(timedelta(seconds=30 * 2 ** (attempt - 1) + 1))
        notify.app.state.sender.wake()

    [row] = await rows_until(
        db, lambda rows: rows and rows[0]["status"] == "failed", event_id=event.id
    )
    assert (row["attempts"], row["error_code"]) == (5, "HTTP_503")
    assert await events.collect(
        lambda m: m["type"] == "notify.failed" and m["data"]["message_id"] == str(row["id"])
    )
    assert inbox(fake, ticket["contact_phone"]) == []


async def test_sent_messages_are_announced(world, db, events):
    county = await world.county()
    ticket = await world.ticket(county["region"])
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})

    [row] = await rows_until(db, all_sent(1), event_id=event.id)

    [sent] = await events.collect(
        lambda m: m["type"] == "notify.sent" and m["data"]["message_id"] == str(row["id"])
    )
    assert sent["data"]["template"] == "ticket.accepted" and sent["data"]["channel"] == "sms"
    assert ticket["contact_phone"] not in str(sent)
