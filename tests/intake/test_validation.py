"""Bad input: a clear 4xx problem naming the field, and nothing written."""

import pytest
from sqlalchemy import func, select

from services.intake.models import tickets
from services.intake.schemas import valid_id_number
from tests.intake.factories import ticket_body


def with_location(**changes):
    body = ticket_body()
    body["location"] = {**body["location"], **changes}
    return body


def with_contact(**changes):
    body = ticket_body()
    body["contact"] = {**body["contact"], **changes}
    return body


def without(key):
    body = ticket_body()
    del body[key]
    return body


CASES = [
    ("channel", {**ticket_body(), "channel": "fax"}, "取值应为"),
    ("channel", without("channel"), "必填项"),
    ("type", {**ticket_body(), "type": "praise"}, "取值应为"),
    ("urgency", {**ticket_body(), "urgency": "very"}, "取值应为"),
    ("category", {**ticket_body(), "category": "Road Works!"}, "格式不正确"),
    ("title", {**ticket_body(), "title": "长" * 51}, "不能超过 50 个字符"),
    ("content", {**ticket_body(), "content": "字" * 2001}, "不能超过 2000 个字符"),
    ("body", {**ticket_body(), "content": "   "}, "请填写诉求内容"),
    ("media_ids", {**ticket_body(), "media_ids": ["not-a-uuid"]}, "UUID"),
    ("media_ids", {**ticket_body(), "media_ids": [
        f"7b2f7a8e-5b7c-4c8e-9a51-0c0f9f6a1e{i:02d}" for i in range(10)]}, "最多 9 项"),
    ("media_ids", {**ticket_body(), "media_ids": ["7b2f7a8e-5b7c-4c8e-9a51-0c0f9f6a1e01"] * 2},
     "附件不能重复"),
    ("location.region_code", with_location(region_code="5326"), "格式不正确"),
    ("location", without("location"), "必填项"),
    ("location.town_code", with_location(town_code="53262210"), "格式不正确"),
    ("location.lat", with_location(lat=91.0), "不能大于"),
    ("location.lng", with_location(lng=10.0), "不能小于"),
    ("location", with_location(lat=None), "经纬度须同时填写"),
    ("location.address", with_location(address="址" * 201), "不能超过 200 个字符"),
    ("contact.phone", with_contact(phone="12345"), "格式不正确"),
    ("contact.phone", with_contact(phone=None), "必填项"),
    ("contact.name", with_contact(name=""), "至少 1 个字符"),
    ("contact.name", with_contact(name="李\x00女士"), "不能包含空字符"),
    ("content", {**ticket_body(), "content": "烧烤\x00油烟"}, "不能包含空字符"),
    ("contact.id_number", with_contact(id_number="532622199001011235"), "身份证号无效"),
    ("contact.id_number", with_contact(id_number="53262219900101"), "身份证号无效"),
    ("anonymous", {**ticket_body(), "anonymous": "maybe"}, "true 或 false"),
    ("extra", {**ticket_body(), "extra": 1}, "不允许的字段"),
]


async def ticket_count(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(tickets))


@pytest.mark.parametrize(("field", "body", "message"), CASES, ids=[c[0] + ":" + c[2] for c in CASES])
async def test_each_bad_field_is_named_in_chinese(intake, channel_headers, db, field, body, message):
    before = await ticket_count(db)

    response = await intake.post("/v1/tickets", json=body, headers=channel_headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "请求参数有误"
    assert any(e["field"].startswith(field) and message in e["message"]
               for e in problem["errors"]), problem
    assert await ticket_count(db) == before


def test_id_number_checksum():
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("11010519491231002x")
    assert not valid_id_number("110105194912310021")


async def test_a_valid_id_number_is_accepted(intake, channel_headers):
    response = await intake.post("/v1/tickets", json=with_contact(id_number="11010519491231002x"),
                                 headers=channel_headers)
    assert response.status_code == 201


@pytest.mark.parametrize(("content", "content_type", "status"), [
    (b"{not json", "application/json", 422),
    (b"", "application/json", 422),
    (b"[1, 2]", "application/json", 422),
    (b"channel=hotline", "text/plain", 415),
    (b"<ticket/>", "application/xml", 415),
])
async def test_bodies_that_are_not_a_ticket_get_a_4xx(intake, channel_headers, db, content,
                                                      content_type, status):
    before = await ticket_count(db)
    response = await intake.post("/v1/tickets", content=content,
                                 headers={**channel_headers, "Content-Type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await ticket_count(db) == before


async def test_a_body_over_64_kib_is_refused(intake, channel_headers, db):
    before = await ticket_count(db)
    body = ticket_body(content="长" * 30000)
    response = await intake.post("/v1/tickets", json=body, headers=channel_headers)
    assert response.status_code == 413
    assert "64 KB" in response.json()["detail"]
    assert await ticket_count(db) == before


async def test_a_streamed_body_over_64_kib_is_refused(intake, channel_headers):
    async def chunks():
        for _ in range(80):
            yield b" " * 1024

    response = await intake.post("/v1/tickets", content=chunks(),
                                 headers={**channel_headers, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_unknown_ticket_and_bad_query_are_4xx(intake, channel_headers):
    assert (await intake.get("/v1/tickets/WS00000000000000", headers=channel_headers)).status_code == 404
    progress = await intake.get("/v1/tickets/WS1/progress", params={"phone_last4": "12x4"})
    assert progress.status_code == 422
    assert progress.json()["errors"][0]["field"] == "phone_last4"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/queue", {"offset": str(2**64)}, "offset"),
    ("/v1/queue", {"unit": "cc-532622\x00"}, "unit"),
    ("/v1/tickets/WS1%00", {}, "number"),
])
async def test_staff_lists_refuse_what_postgres_cannot_take(intake, staff, path, params, field):
    response = await staff["admin"].client.get(path, params=params, headers=staff["admin"].headers)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field


async def test_a_field_named_query_keeps_its_name(intake, staff):
    admin = staff["admin"]
    response = await admin.client.post("/v1/me/views", json={"name": "本周", "query": "a\x00"},
                                       headers=admin.headers)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "query", "message": "不能包含空字符"}]
