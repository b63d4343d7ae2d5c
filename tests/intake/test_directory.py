"""Intake accepts only places and categories routing has announced: a ticket for a county,
town or category no one handles would reach no one."""

import uuid

from sqlalchemy import func, select

from services.core.consumer import wait_until
from services.core.testing import publish
from services.intake.models import tickets
from tests.directory import unit_event
from tests.intake.factories import ticket_body


def placed(region: str = "532622", town: str | None = "532622100", **overrides) -> dict:
    body = ticket_body(**overrides)
    body["location"] = {**body["location"], "region_code": region, "town_code": town}
    return body


async def stored_for(db, region: str) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).where(tickets.c.region_code == region))


async def refused(intake, channel_headers, body: dict) -> dict:
    response = await intake.post("/v1/tickets", json=body, headers=channel_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {error["field"]: error["message"] for error in response.json()["errors"]}


async def test_a_county_no_one_serves_is_refused_by_name_and_nothing_is_stored(intake, channel_headers, db):
    errors = await refused(intake, channel_headers, placed("999999", None))
    assert errors == {"location.region_code": "不是本平台受理的县（市、区），请重新选择"}
    assert await stored_for(db, "999999") == 0


async def test_a_town_of_another_county_or_an_unknown_category_is_refused(intake, channel_headers):
    errors = await refused(intake, channel_headers, placed("532601", "532622100", category="space.aliens"))
    assert set(errors) == {"location.town_code", "category"}
    assert "乡镇" in errors["location.town_code"] and "诉求类别" in errors["category"]


async def test_the_demo_places_and_a_known_category_are_accepted(intake, channel_headers):
    response = await intake.post("/v1/tickets", json=placed(category="municipal.noise"),
                                 headers=channel_headers)
    assert response.status_code == 201, response.text


async def test_a_town_an_admin_adds_is_accepted_once_routing_announces_it(intake, channel_headers, settings):
    town = f"532622{uuid.uuid4().int % 10**6:06d}"
    assert "location.town_code" in await refused(intake, channel_headers, placed(town=town))

    await publish(settings, unit_event(town, "新设镇", "town", "532622", "532622"), producer="routing")

    async def accepted() -> bool:
        response = await intake.post("/v1/tickets", json=placed(town=town), headers=channel_headers)
        return response.status_code == 201
    assert await wait_until(accepted, timeout=10), "the new town was never accepted"


async def test_a_town_routing_deactivates_is_refused_from_then_on(intake, channel_headers, settings):
    town = f"532622{uuid.uuid4().int % 10**6:06d}"
    await publish(settings, unit_event(town, "撤并镇", "town", "532622", "532622"), producer="routing")

    async def accepted() -> bool:
        return (await intake.post("/v1/tickets", json=placed(town=town), headers=channel_headers)).status_code == 201
    assert await wait_until(accepted, timeout=10)

    await publish(settings, unit_event(town, "撤并镇", "town", "532622", "532622", active=False),
                  producer="routing")

    async def refused_now() -> bool:
        return (await intake.post("/v1/tickets", json=placed(town=town), headers=channel_headers)).status_code == 422
    assert await wait_until(refused_now, timeout=10), "the closed town still takes tickets"
