"""The inbound SMS channel (the Henan format): signed parts become complete or 待完善 tickets."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from services.core.testing import running
from services.intake import service
from services.intake.app import create_app
from services.intake.models import sms_parts
from services.intake.settings import IntakeSettings
from tests.intake.factories import phone
from tests.intake.public import announce_directory
from tests.intake.sms import SECRET, send_sms, signed, tickets_of

ID_NUMBER = "11010519491231002X"
HENAN = (f"姓名：张三，住址：云南省文山州砚山县江那镇振兴街8号，身份证号码：{ID_NUMBER}，"
         "反映的具体事项及发生地：江那镇振兴街烧烤摊每天夜间经营到凌晨两点，油烟和噪音严重影响休息。")


@pytest.fixture(scope="module")
async def gateway(settings, db):
    """An intake app that takes a sender's parts together after a short quiet spell."""
    own = IntakeSettings(sms_inbound_secret=SECRET, sms_settle_seconds=0.4, sms_poll_seconds=0.1)
    app = create_app(settings, own)
    async with running(app) as client:
        await announce_directory(settings, db)
        client.app = app
        yield client


def of(number: str, kind: str):
    return lambda m: m["type"] == kind and m["data"].get("number") == number


async def test_a_henan_format_sms_becomes_a_complete_ticket(gateway, db, events):
    sender = phone()
    answer = await send_sms(gateway, sender, HENAN)

    assert answer.status_code == 202 and answer.json()["duplicate"] is False
    [ticket] = await tickets_of(db, sender)
    assert (ticket["status"], ticket["channel"], ticket["contact_name"]) == ("submitted", "sms", "张三")
    assert (ticket["contact_id_number"], ticket["contact_phone"]) == (ID_NUMBER, sender)
    assert ticket["contact_address"] == "云南省文山州砚山县江那镇振兴街8号"
    assert (ticket["region_code"], ticket["town_code"]) == ("532622", "532622100")
    assert ticket["content"].startswith("江那镇振兴街烧烤摊每天夜间经营到凌晨两点")
    [created] = await events.collect(of(ticket["number"], "ticket.created"))
    assert created["data"]["channel"] == "sms"


async def test_the_parts_of_a_long_sms_make_one_ticket(gateway, db, events):
    sender = phone()
    text = HENAN + "希望有关部门尽快到现场查看处理，规范经营时间，还居民一个安静的夜晚。"
    parts = [text[:60], text[60:120], text[120:]]
    assert len(parts[2]) > 10
    for part in parts:
        assert (await send_sms(gateway, sender, part)).status_code == 202

    [ticket] = await tickets_of(db, sender)
    assert ticket["status"] == "submitted"
    assert ticket["content"].endswith("还居民一个安静的夜晚")
    assert "身份证" not in ticket["content"]


async def test_a_partial_sms_waits_for_what_is_missing_and_the_sender_is_told(gateway, db, events):
    sender = phone()
    await send_sms(gateway, sender, "振兴街烧烤摊夜间噪音很大，希望管一管")

    [ticket] = await tickets_of(db, sender, status="pending_info")
    [asked] = await events.collect(of(ticket["number"], "ticket.info_requested"))
    assert asked["data"]["contact_phone"] == sender
    assert asked["data"]["missing"] == "姓名、住址、身份证号"
    assert not [m for m in events.seen if m["type"] == "ticket.created"
                and m["data"]["number"] == ticket["number"]]

    await send_sms(gateway, sender, f"张三，砚山县江那镇振兴街8号，{ID_NUMBER}")

    [filed] = await tickets_of(db, sender, status="submitted")
    assert (filed["number"], filed["contact_name"], filed["content"]) == (
        ticket["number"], "张三", "振兴街烧烤摊夜间噪音很大，希望管一管")
    [created] = await events.collect(of(ticket["number"], "ticket.created"))
    assert created["data"]["content"] == filed["content"]


async def test_a_message_within_ten_minutes_joins_and_a_later_one_starts_anew(gateway, db, events):
    sender = phone()
    await send_sms(gateway, sender, HENAN)
    [first] = await tickets_of(db, sender)
    await send_sms(gateway, sender, "补充：周末尤其严重。")
    await events.collect(of(first["number"], "ticket.supplemented"))
    [joined] = await tickets_of(db, sender)
    assert joined["content"].endswith("补充：周末尤其严重。")

    async with db.transaction() as session:  # the earlier parts came eleven minutes ago
        await session.execute(update(sms_parts).where(sms_parts.c.phone == sender)
                              .values(received_at=func.now() - timedelta(minutes=11)))
    await send_sms(gateway, sender, HENAN)

    assert len(await tickets_of(db, sender, count=2)) == 2


async def test_a_message_the_gateway_posts_twice_is_filed_once(gateway, db):
    sender = phone()
    first = await send_sms(gateway, sender, HENAN, message_id="gw-retry-1")
    again = await send_sms(gateway, sender, HENAN, message_id="gw-retry-1")

    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    [ticket] = await tickets_of(db, sender)
    assert ticket["content"].count("烧烤摊") == 1


async def test_an_unsigned_or_badly_signed_message_is_refused_and_not_kept(gateway, db):
    sender = phone()
    body = {"message_id": "forged-1", "phone": sender, "text": HENAN}
    raw, headers = signed(body, secret="not-the-secret")
    unsigned = await gateway.post("/v1/channels/sms/inbound", json=body)
    forged = await gateway.post("/v1/channels/sms/inbound", content=raw, headers=headers)

    assert (unsigned.status_code, forged.status_code) == (401, 401)
    assert forged.json()["detail"] == "短信网关签名校验失败"
    async with db.transaction() as session:
        kept = await session.scalar(select(func.count()).select_from(sms_parts)
                                    .where(sms_parts.c.phone == sender))
    assert kept == 0


async def test_a_signed_but_malformed_message_is_a_422(gateway):
    for body in ({"message_id": "m1", "phone": "12345", "text": "你好"},
                 {"message_id": "m2", "phone": "13800000000"}, ["not", "an", "object"]):
        raw, headers = signed(body)
        response = await gateway.post("/v1/channels/sms/inbound", content=raw, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    raw, headers = signed({})
    broken = await gateway.post("/v1/channels/sms/inbound", content=raw[:-1] + b"{", headers=headers)
    assert broken.status_code in (401, 422)


async def test_an_sms_never_completed_expires_quietly(gateway, db, events):
    sender = phone()
    await send_sms(gateway, sender, "路口红绿灯坏了好几天了")
    [ticket] = await tickets_of(db, sender, status="pending_info")
    async with db.transaction() as session:
        await service.expire_stale(session, gateway.app.state.outbox,
                                   now=datetime.now(UTC) + timedelta(days=11), days=10)
    [expired] = await tickets_of(db, sender, status="expired")
    await events.drain(0.5)

    assert expired["number"] == ticket["number"]
    assert not [m for m in events.seen if m["data"].get("number") == ticket["number"]
                and m["type"] in ("ticket.created", "ticket.expired")]


async def test_a_message_for_a_county_routing_never_announced_waits_and_others_go_on(settings, db):
    own = IntakeSettings(sms_inbound_secret=SECRET, sms_settle_seconds=0.2, sms_poll_seconds=0.1,
                         sms_default_region="532699")  # a county no one announced
    nowhere, yanshan = phone(), phone()
    async with running(create_app(settings, own)) as client:
        await send_sms(client, nowhere, "路口红绿灯坏了好几天了")
        await send_sms(client, yanshan, HENAN)
        [filed] = await tickets_of(db, yanshan)
        async with db.transaction() as session:
            waiting = await session.scalar(select(func.count()).select_from(sms_parts).where(
                sms_parts.c.phone == nowhere, sms_parts.c.ticket_id.is_(None)))

    assert filed["status"] == "submitted" and waiting == 1
