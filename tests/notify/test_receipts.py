"""Delivery receipts pushed by the providers mark each message delivered or failed."""

from services.notify.receipts import wechat_signature
from tests.notify.world import all_sent, openid, rows_until

TOKEN = {"token": "receipt-token"}


async def sent_to_citizen(world, db, fake, **ticket_options):
    county = await world.county()
    ticket = await world.ticket(county["region"], **ticket_options)
    event = await world.publish("ticket.accepted", {"number": ticket["number"], "region_code": "x"})
    [row] = await rows_until(db, all_sent(1), event_id=event.id)
    [message] = [m for m in fake.sent if m.message_id == row["provider_message_id"]]
    return row, message


async def test_an_aliyun_receipt_marks_the_sms_delivered(world, db, fake, notify):
    row, sms = await sent_to_citizen(world, db, fake)

    response = await notify.post("/v1/callbacks/aliyun", params=TOKEN, json=fake.receipt(sms))

    assert response.status_code == 200 and response.json() == {"code": 0, "msg": "接收成功"}
    [row] = await rows_until(db, lambda rows: rows[0]["status"] == "delivered", id=row["id"])
    assert row["delivered_at"] is not None


async def test_an_undelivered_sms_is_failed_and_reported(world, db, fake, notify, events):
    row, sms = await sent_to_citizen(world, db, fake)

    response = await notify.post(
        "/v1/callbacks/aliyun", params=TOKEN, json=fake.receipt(sms, delivered=False)
    )

    assert response.status_code == 200
    [row] = await rows_until(db, lambda rows: rows[0]["status"] == "failed", id=row["id"])
    assert (row["error_code"], row["error_text"]) == ("MK:0012", "空号")
    assert await events.collect(
        lambda m: m["type"] == "notify.failed" and m["data"]["message_id"] == str(row["id"])
    )


async def test_a_receipt_for_another_phone_or_an_unknown_id_changes_nothing(
    world, db, fake, notify
):
    row, sms = await sent_to_citizen(world, db, fake)
    forged = fake.receipt(sms)
    forged[0]["phone_number"] = "13900000000"
    unknown = fake.receipt(sms)
    unknown[0]["biz_id"] = "999999999"

    for body in (forged, unknown):
        assert (
            await notify.post("/v1/callbacks/aliyun", params=TOKEN, json=body)
        ).status_code == 200

    [row] = await rows_until(db, lambda rows: True, id=row["id"])
    assert row["status"] == "sent"


async def test_receipts_without_the_callback_token_are_refused(world, db, fake, notify):
    row, sms = await sent_to_citizen(world, db, fake)

    response = await notify.post(
        "/v1/callbacks/aliyun", params={"token": "guess"}, json=fake.receipt(sms)
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_malformed_receipt_is_a_422_naming_the_body(notify):
    response = await notify.post("/v1/callbacks/tencent", params=TOKEN, json={"sid": "1"})

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"


async def test_tencent_receipt_shape_is_understood(notify):
    body = [
        {
            "user_receive_time": "2025-03-05 08:03:04",
            "nationcode": "86",
            "mobile": "13800000000",
            "report_status": "SUCCESS",
            "errmsg": "DELIVRD",
            "description": "用户短信送达成功",
            "sid": "no-such",
        }
    ]

    response = await notify.post("/v1/callbacks/tencent", params=TOKEN, json=body)

    assert response.status_code == 200 and response.json() == {"result": 0, "errmsg": "OK"}


def signed(nonce: str = "n0nce", timestamp: str = "1700000000") -> dict:
    return {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": wechat_signature("wx-push-token", timestamp, nonce),
    }


async def test_a_refused_wechat_message_reported_later_falls_back_to_sms(world, db, fake, notify):
    row, message = await sent_to_citizen(world, db, fake, citizen_openid=openid())

    response = await notify.post(
        "/v1/callbacks/wechat", params=signed(), json=fake.receipt(message, delivered=False)
    )

    assert response.status_code == 200 and response.text == "success"
    rows = await rows_until(
        db,
        lambda rows: [r["status"] for r in rows] == ["fallback", "sent"],
        event_id=row["event_id"],
    )
    assert rows[1]["channel"] == "sms"


async def test_wechat_pushes_need_wechats_signature(world, db, fake, notify):
    row, message = await sent_to_citizen(world, db, fake, citizen_openid=openid())
    params = {**signed(), "signature": "0" * 40}

    refused = await notify.post("/v1/callbacks/wechat", params=params, json=fake.receipt(message))
    check = await notify.get("/v1/callbacks/wechat", params={**signed("abc"), "echostr": "hello"})

    assert refused.status_code == 401
    assert check.status_code == 200 and check.text == "hello"
