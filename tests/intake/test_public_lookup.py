"""办件查询: GET /v1/public/tickets/{number}?phone_tail= shows progress, nothing personal."""

import random

import httpx

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.intake.factories import phone
from tests.intake.flow import assign, submit
from tests.intake.public import announce_directory


async def test_lookup_shows_status_category_and_steps_without_personal_data(intake, settings, db, staff,
                                                                             channel_headers):
    await announce_directory(settings, db)
    contact = {"name": "赵女士", "phone": phone(), "id_number": "11010519491231002X"}
    number = await submit(intake, channel_headers, contact=contact, category="municipal.noise")
    await assign(settings, intake, number, "532622100")

    found = await intake.get(f"/v1/public/tickets/{number}", params={"phone_tail": contact["phone"][-4:]})

    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["number"], body["status"], body["status_name"]) == (number, "assigned", "已派单")
    assert body["category_name"] == "市政管理"  # routing's assignment named the category
    assert [step["label"] for step in body["steps"]] == ["提交诉求", "派单"]
    for secret in (contact["phone"], contact["name"], contact["id_number"], "振兴街 18 号"):
        assert secret not in found.text


async def test_wrong_number_and_wrong_tail_get_the_same_answer(intake, channel_headers):
    contact = {"name": "赵女士", "phone": phone()}
    number = await submit(intake, channel_headers, contact=contact)
    wrong_tail = "0000" if contact["phone"][-4:] != "0000" else "1111"

    bad_tail = await intake.get(f"/v1/public/tickets/{number}", params={"phone_tail": wrong_tail})
    bad_number = await intake.get("/v1/public/tickets/WS20000101999999",
                                  params={"phone_tail": contact["phone"][-4:]})
    malformed = await intake.get(f"/v1/public/tickets/{number}", params={"phone_tail": "12a4"})

    assert bad_tail.status_code == bad_number.status_code == 404
    assert bad_tail.json() == bad_number.json()
    assert bad_tail.json()["detail"] == "工单号或手机号后四位不正确"
    assert malformed.status_code == 422


async def test_repeated_misses_are_refused_for_a_while(settings, db, channel_headers):
    own = IntakeSettings(lookup_misses_per_window=3, lookup_window_seconds=600)
    app = create_app(settings, own)
    address = f"198.51.100.{random.randrange(1, 255)}"  # a client of its own: misses counted apart
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport,
                                                                    base_url="http://test") as client:
        contact = {"name": "赵女士", "phone": phone()}
        number = await submit(client, channel_headers, contact=contact)
        answers = [(await client.get("/v1/public/tickets/WS20000101000001",
                                     params={"phone_tail": "0000"})).status_code for _ in range(4)]
        right = await client.get(f"/v1/public/tickets/{number}", params={"phone_tail": contact["phone"][-4:]})
    assert answers == [404, 404, 404, 429]
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
