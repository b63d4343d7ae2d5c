"""What citizens see without logging in: hot topics and open reports near them."""

import random
import uuid
from datetime import UTC, datetime, timedelta

from services.core.auth import Role
from services.routing.knowledge_store import today
from services.routing.models import knowledge_hits, tickets
from tests.routing.flow import assigned, bearer, submit, uid

HOT_REGION = "539901"  # a county code no other test files tickets in


async def add_ticket(db, *, category: str | None, region: str = HOT_REGION,
                     at: tuple[float, float] = (23.6, 104.3), status: str = "open",
                     age: timedelta = timedelta(hours=1), title: str = "", **values) -> None:
    async with db.transaction() as session:
        await session.execute(tickets.insert().values(
            id=uuid.uuid4(), number=f"WS-NEAR-{uid()}", region_code=region, category=category,
            urgency="normal", ticket_type="complaint", lat=at[0], lng=at[1], title=title,
            content=values.pop("content", "测试内容"), status=status,
            created_at=datetime.now(UTC) - age, **values))


async def test_hot_topics_count_this_weeks_tickets_per_category(db, routing):
    for category, n in (("municipal.noise", 3), ("sanitation.garbage", 2), ("market", 1)):
        for _ in range(n):
            await add_ticket(db, category=category)
    await add_ticket(db, category="market", age=timedelta(days=8))
    await add_ticket(db, category="market", region="539902")
    await add_ticket(db, category=None)

    response = await routing.get("/v1/public/hot", params={"region": HOT_REGION})

    assert response.status_code == 200
    assert response.json()["categories"] == [
        {"code": "municipal.noise", "name": "噪音扰民", "count": 3},
        {"code": "sanitation.garbage", "name": "垃圾清运", "count": 2},
        {"code": "market", "name": "市场管理", "count": 1}]


async def _item(routing, settings, title: str) -> str:
    response = await routing.post("/v1/knowledge", headers=bearer(settings, Role.admin), json={
        "title": title, "body": "这是一条用于统计热门话题的测试答复。", "category": "policy",
        "region": "532624", "keywords": []})
    return response.json()["id"]


async def test_hot_answers_are_the_most_read_and_matched_this_week(settings, db, routing):
    words = [f"zh{uid()}" for _ in range(3)]
    read, matched, old = [await _item(routing, settings, f"{word} 热门话题测试") for word in words]
    for _ in range(4):
        assert (await routing.get(f"/v1/public/knowledge/{read}")).status_code == 200
    await routing.get("/v1/public/knowledge", params={"q": words[1]})
    async with db.transaction() as session:
        await session.execute(knowledge_hits.insert().values(
            knowledge_id=uuid.UUID(old), day=today() - timedelta(days=8), views=1000))

    response = await routing.get("/v1/public/hot", params={"region": "532624"})

    hot = [k["id"] for k in response.json()["knowledge"]]
    assert read in hot and matched in hot and old not in hot
    assert hot.index(read) < hot.index(matched)
    elsewhere = await routing.get("/v1/public/hot", params={"region": "532625"})
    assert read not in [k["id"] for k in elsewhere.json()["knowledge"]]


def _far_point() -> tuple[float, float]:
    """A point no other test files tickets near (they stay in 文山州)."""
    return round(random.uniform(30, 40), 5), round(random.uniform(110, 120), 5)


async def test_nearby_lists_open_reports_around_a_point_and_nothing_personal(
        settings, db, routing, intake, events):
    lat, lng = _far_point()
    dlat = 1 / 111_320  # a metre north
    phone = "13912345678"
    reported = await submit(intake, "门口的下水道堵了好几天，污水横流", category="infrastructure.drainage",
                            at=(lat + 120 * dlat, lng), caller=phone, title="小区门口下水道堵塞")
    await events.collect(assigned(reported["number"]), count=1)
    await add_ticket(db, category="municipal.streetlight", at=(lat - 300 * dlat, lng),
                     title=f"路灯不亮，联系{phone}", contact_phone=phone, age=timedelta(days=2))
    await add_ticket(db, category="municipal.streetlight", at=(lat + 50 * dlat, lng),
                     status="closed", title="已经修好的路灯")
    await add_ticket(db, category="municipal.streetlight", at=(lat + 2000 * dlat, lng),
                     title="两公里外的路灯")

    response = await routing.get("/v1/public/nearby", params={"lat": lat, "lng": lng})
    lights = await routing.get("/v1/public/nearby", params={
        "lat": lat, "lng": lng, "category": "municipal", "radius": 200})

    items = response.json()["items"]
    assert [(i["title"], i["category_name"], i["status_name"], i["distance_m"]) for i in items] == [
        ("小区门口下水道堵塞", "排水", "办理中", 120), ("路灯不亮，联系***", "路灯", "待派单", 300)]
    assert all(set(i) == {"title", "category_name", "status_name", "created_at", "distance_m"}
               for i in items)
    assert phone not in response.text and "污水横流" not in response.text
    assert lights.json()["items"] == []


async def test_nearby_refuses_a_point_off_the_map(routing):
    for params in ({"lat": 91, "lng": 104}, {"lat": 23, "lng": 181}, {"lat": 23},
                   {"lat": 23, "lng": 104, "radius": 50_000}, {"lat": "nan", "lng": 104},
                   {"lat": 1e308, "lng": 104}):
        response = await routing.get("/v1/public/nearby", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
