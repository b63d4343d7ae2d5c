"""案例公开: staff publish a closed public ticket in their own words; anyone searches them."""

import uuid

from tests.intake.factories import phone
from tests.intake.flow import submit
from tests.intake.public import announce_directory, closed_ticket

NAME, ID_NUMBER = "王建国", "11010519491231002X"
CASE = {
    "title": "夜市油烟扰民问题得到整治",
    "body": "市民反映江那镇振兴街烧烤摊夜间经营，油烟和噪音影响周边居民休息。",
    "reply": "城管部门约谈经营户，督促安装油烟净化设备，并规定经营时间至22时。",
}


def private_ticket(**overrides) -> dict:
    contact = {"name": NAME, "phone": phone(), "id_number": ID_NUMBER, "address": "砚山县江那镇振兴街 18 号"}
    return {"contact": contact, **overrides}


async def publish(desk, number: str, **changes):
    return await desk.client.post(f"/v1/tickets/{number}/publication", json={**CASE, **changes},
                                  headers=desk.headers)


async def test_published_case_carries_no_personal_data(intake, settings, db, staff, channel_headers):
    await announce_directory(settings, db)
    body = private_ticket()
    number = await closed_ticket(intake, settings, db, staff, channel_headers, **body)

    published = await publish(staff["center"], number)

    assert published.status_code == 201, published.text
    case_id = published.json()["id"]
    listed = await intake.get("/v1/public/cases", params={"region": "532622"})
    detail = await intake.get(f"/v1/public/cases/{case_id}")
    assert detail.json()["reply"] == CASE["reply"] and detail.json()["region_name"] == "砚山县"
    assert case_id in [item["id"] for item in listed.json()["items"]]
    for text in (published.text, listed.text, detail.text):
        for secret in (body["contact"]["phone"], ID_NUMBER, NAME, "振兴街 18 号", number):
            assert secret not in text


async def test_publication_naming_the_citizen_or_any_phone_is_refused(intake, settings, db, staff,
                                                                      channel_headers):
    body = private_ticket()
    number = await closed_ticket(intake, settings, db, staff, channel_headers, **body)

    with_phone = await publish(staff["center"], number, reply=f"已电话联系 {body['contact']['phone']}。")
    with_name = await publish(staff["center"], number, body=f"{NAME}反映烧烤摊油烟扰民。")
    with_other_id = await publish(staff["center"], number, body="身份证 11010519491231003X 的市民反映。")

    assert (with_phone.status_code, with_name.status_code, with_other_id.status_code) == (422, 422, 422)
    assert with_phone.json()["errors"][0]["field"] == "reply"
    assert "姓名" in with_name.json()["errors"][0]["message"]


async def test_only_closed_public_tickets_of_the_county_are_published(intake, settings, db, staff,
                                                                      channel_headers):
    open_number = await submit(intake, channel_headers)
    private = await closed_ticket(intake, settings, db, staff, channel_headers, public=False)
    closed = await closed_ticket(intake, settings, db, staff, channel_headers)

    assert (await publish(staff["center"], open_number)).status_code == 409
    refused = await publish(staff["center"], private)
    assert refused.status_code == 409 and "未同意公开" in refused.json()["title"]
    assert (await publish(staff["other_center"], closed)).status_code == 404
    assert (await publish(staff["town"], closed)).status_code == 403
    assert (await publish(staff["center"], closed, photos=[str(uuid.uuid4())])).status_code == 422
    assert (await publish(staff["center"], closed)).status_code == 201
    assert (await publish(staff["admin"], closed)).status_code == 409  # one live case per ticket


async def test_search_finds_a_case_by_words_not_in_its_title_best_match_first(
        intake, settings, db, staff, channel_headers):
    first = await closed_ticket(intake, settings, db, staff, channel_headers)
    second = await closed_ticket(intake, settings, db, staff, channel_headers)
    await publish(staff["center"], first, title="小区路灯不亮已修复",
                  body="幸福小区三栋门前路灯损坏，夜间出行不便。", reply="住建部门已更换灯具。")
    wanted = (await publish(staff["center"], second)).json()["id"]
    phrase = "油烟净化设备"
    assert phrase not in CASE["title"]

    found = (await intake.get("/v1/public/cases", params={"q": phrase})).json()
    ranked = (await intake.get("/v1/public/cases", params={"q": "夜间烧烤油烟"})).json()
    nothing = (await intake.get("/v1/public/cases", params={"q": "公积金提取"})).json()

    assert wanted in [item["id"] for item in found["items"]]
    assert ranked["items"][0]["id"] == wanted
    assert nothing == {"items": [], "total": 0}


async def test_a_withdrawn_case_is_gone(intake, settings, db, staff, channel_headers):
    number = await closed_ticket(intake, settings, db, staff, channel_headers)
    case_id = (await publish(staff["center"], number)).json()["id"]

    assert (await staff["other_center"].client.delete(
        f"/v1/public/cases/{case_id}", headers=staff["other_center"].headers)).status_code == 404
    withdrawn = await intake.delete(f"/v1/public/cases/{case_id}", headers=staff["center"].headers)

    assert withdrawn.status_code == 204
    assert (await intake.get(f"/v1/public/cases/{case_id}")).status_code == 404
    listed = (await intake.get("/v1/public/cases", params={"limit": 100})).json()["items"]
    assert case_id not in [item["id"] for item in listed]
    assert (await publish(staff["center"], number)).status_code == 201  # may be published anew


async def test_bad_filters_are_clear_422s(intake):
    for params in ({"region": "5326"}, {"category": "DROP TABLE"}, {"limit": 0}, {"q": "x" * 101}):
        response = await intake.get("/v1/public/cases", params=params)
        assert response.status_code == 422 and response.headers["content-type"].startswith(
            "application/problem+json")
    assert (await intake.get("/v1/public/cases/not-a-uuid")).status_code == 422
