"""Reports name units, regions and categories as routing last announced them, never by code."""

import asyncio

import pytest
from sqlalchemy import func, select

from services.core.auth import Role
from services.core.consumer import wait_until
from services.core.migrate import upgrade
from services.core.testing import running, until_consuming
from services.routing.app import QUEUE
from services.routing.app import create_app as create_routing
from services.sla.handlers import on_unit_upserted
from services.sla.models import names
from tests.sla.flow import Ticket, announce_category, announce_unit, at, directory_event, unit_code


@pytest.fixture(scope="module")
async def routing(sla_settings, sla):
    """Routing on sla's database (its own schema) and broker namespace: its events reach sla."""
    await asyncio.to_thread(upgrade, "routing", sla_settings.database_url)
    async with running(create_routing(sla_settings)) as client:
        await until_consuming(sla_settings, sla_settings.broker_name(QUEUE))
        yield client


async def name_of(app, kind: str, code: str) -> str | None:
    async with app.state.db.transaction() as session:
        return await session.scalar(select(names.c.name).where(names.c.kind == kind,
                                                                names.c.code == code))


async def monthly_page(sla, headers, **params) -> str:
    response = await sla.get("/v1/reports/monthly", params={**params, "format": "html"},
                             headers=headers)
    assert response.status_code == 200, response.text
    return response.text


async def test_a_unit_renamed_in_routing_is_reported_under_its_new_name(sla, routing, auth):
    code, admin = unit_code("cg"), auth(Role.admin)
    center = auth(Role.dispatcher, "cc-532622", "532622")
    created = await routing.post("/v1/units", headers=admin, json={
        "code": code, "name": "砚山县老城管理所", "kind": "department", "region_code": "532622"})
    assert created.status_code == 201, created.text
    ticket = Ticket(sla.app)
    await ticket.created(at(2026, 3, 2, 8))
    await ticket.assign(code, at(2026, 3, 2, 9))  # routing's assignment names it by its code
    await ticket.send("ticket.signed", at(2026, 3, 3, 12), unit_code=code)  # late: a worst unit

    async def reported_as(name: str) -> bool:
        return name in await monthly_page(sla, center, month="2026-03", unit=code)

    assert await wait_until(lambda: reported_as("砚山县老城管理所"), timeout=15)
    renamed = await routing.patch(f"/v1/units/{code}", headers=admin, json={"name": "砚山县新城管理所"})
    assert renamed.status_code == 200, renamed.text
    assert await wait_until(lambda: reported_as("砚山县新城管理所"), timeout=15)
    page = await monthly_page(sla, center, month="2026-03", unit=code)
    assert "砚山县老城管理所" not in page and code not in page
    report = (await sla.get("/v1/reports/monthly", params={"month": "2026-03", "unit": code},
                            headers=center)).json()
    assert [row["unit_name"] for row in report["worst_units"]] == ["砚山县新城管理所"]


async def test_a_category_changed_in_routing_reaches_sla(sla, routing, auth):
    admin = auth(Role.admin)
    created = await routing.post("/v1/categories", headers=admin,
                                 json={"code": "tourism", "name": "旅游"})
    changed = await routing.patch("/v1/categories/tourism", headers=admin,
                                  json={"name": "文化旅游"})
    assert (created.status_code, changed.status_code) == (201, 200), changed.text

    async def learned() -> bool:
        return await name_of(sla.app, "category", "tourism") == "文化旅游"

    assert await wait_until(learned, timeout=15)


async def test_the_newest_announcement_wins_and_a_repeat_changes_nothing(sla):
    code = unit_code("named")
    first = await announce_unit(sla.app, code, "甲所", when=at(2026, 5, 1, 9))
    assert await sla.app.state.consumer.process(first) is False  # a redelivery is skipped
    await announce_unit(sla.app, code, "乙所", when=at(2026, 5, 1, 10))
    late = await announce_unit(sla.app, code, "丙所", when=at(2026, 5, 1, 9, 30))  # older
    assert await name_of(sla.app, "unit", code) == "乙所"
    async with sla.app.state.db.transaction() as session:
        await on_unit_upserted(session, late)  # the handler itself, twice, without the claim
        await on_unit_upserted(session, late)
        rows = await session.scalar(select(func.count()).select_from(names)
                                    .where(names.c.code == code))
    assert rows == 1 and await name_of(sla.app, "unit", code) == "乙所"


async def test_an_announcement_of_an_unheard_of_kind_or_parent_is_kept(sla):
    code = unit_code("grid")
    envelope = directory_event("unit.upserted", at(2026, 5, 2, 9), code=code, name="第三网格",
                               kind="grid", parent="nowhere", region_code=None, active=True)
    assert await sla.app.state.consumer.process(envelope)
    await announce_category(sla.app, "nosuchparent.child", "无上级的分类")
    assert await name_of(sla.app, "unit", code) == "第三网格"
    assert await name_of(sla.app, "category", "nosuchparent.child") == "无上级的分类"


async def test_codes_never_announced_print_as_themselves(sla, auth):
    ticket = Ticket(sla.app, region="532699")
    await ticket.created(at(2026, 4, 6, 8), category="nosuch.category", town="532699100")
    page = await monthly_page(sla, auth(Role.admin), month="2026-04", region="532699")
    for text in ("532699 接诉即办月报 2026-04", "nosuch.category", "532699100",
                 "统计时段：2026-04-01 至 2026-04-30（北京时间）"):
        assert text in page, text


async def test_a_region_is_named_by_its_county_or_prefecture(sla, auth):
    await announce_unit(sla.app, "532600", "文山州", kind="prefecture", region="532600")
    page = await monthly_page(sla, auth(Role.admin), month="2026-06", region="532600")
    assert "文山州 接诉即办月报 2026-06" in page
