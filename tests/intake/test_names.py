"""Intake keeps the names routing announces, the newest winning, for what it prints."""

import uuid
from datetime import datetime

from sqlalchemy import select

from services.core.events import Envelope
from services.core.workdays import TZ
from services.intake.models import names
from services.intake.names import on_category_upserted, on_unit_upserted
from tests.intake.directory import CategoryUpserted, UnitUpserted, announce, name_of
from tests.intake.flow import assign, submit


def at_hour(event, hour: int) -> Envelope:
    return event.envelope(producer="routing").model_copy(
        update={"occurred_at": datetime(2026, 12, 1, hour, tzinfo=TZ)})


async def test_names_arrive_over_the_broker(settings, db, intake):
    code = f"532622-b{uuid.uuid4().hex[:6]}"
    await announce(settings, db, UnitUpserted(code=code, name="砚山县档案馆", kind="department"),
                   CategoryUpserted(code="culture.archives", name="档案查询", parent="culture"))
    await announce(settings, db, UnitUpserted(code=code, name="砚山县档案局", kind="department"))
    assert await name_of(db, "category", "culture.archives") == "档案查询"


async def test_the_newest_announcement_wins_and_a_repeat_changes_nothing(db):
    code = f"532622-n{uuid.uuid4().hex[:6]}"
    newest = at_hour(UnitUpserted(code=code, name="新名", kind="department"), 10)
    older = at_hour(UnitUpserted(code=code, name="旧名", kind="town"), 9)
    async with db.transaction() as session:
        await on_unit_upserted(session, newest)
        await on_unit_upserted(session, older)  # arrived late: changes nothing
        await on_unit_upserted(session, newest)  # again: changes nothing
        rows = (await session.execute(select(names).where(names.c.code == code))).all()
    assert len(rows) == 1 and (rows[0].name, rows[0].unit_kind) == ("新名", "department")


async def test_a_unit_and_a_category_may_share_a_code(db):
    code = f"x{uuid.uuid4().hex[:6]}"
    async with db.transaction() as session:
        await on_unit_upserted(session, at_hour(UnitUpserted(code=code, name="某单位", kind="grid"), 9))
        await on_category_upserted(session, at_hour(CategoryUpserted(code=code, name="某分类"), 9))
    assert (await name_of(db, "unit", code), await name_of(db, "category", code)) == (
        "某单位", "某分类")


async def test_an_approved_return_names_the_unit_on_the_timeline(intake, settings, db, staff,
                                                                 channel_headers):
    await announce(settings, db, UnitUpserted(code="532622100", name="砚山县江那镇", kind="town",
                                              parent="532622"))
    number = await submit(intake, channel_headers)
    await assign(settings, intake, number, "532622100")
    asked = await staff["town"].act(number, "request_return", {"reason": "不属本镇职责"})
    approved = await staff["center"].act(number, "approve_return")
    assert (asked.status_code, approved.status_code) == (200, 200), approved.text

    timeline = (await staff["center"].get(number)).json()["timeline"]
    assert timeline[-1]["text"] == "同意砚山县江那镇退件，重新派单"
