"""Helpers of the public-API tests: a closed public ticket, names announced as routing does."""

from datetime import UTC, datetime, timedelta

from services.intake import service
from tests.intake.directory import CategoryUpserted, UnitUpserted, announce
from tests.intake.flow import assign, submit

DIRECTORY = (
    UnitUpserted(code="532600", name="文山州", kind="prefecture", region_code="532600"),
    UnitUpserted(code="532622", name="砚山县", kind="county", parent="532600"),
    UnitUpserted(code="532622100", name="江那镇", kind="town", parent="532622"),
    UnitUpserted(code="532622101", name="平远镇", kind="town", parent="532622"),
    UnitUpserted(code="532601", name="文山市", kind="county", parent="532600", region_code="532601"),
    CategoryUpserted(code="municipal", name="市政管理"),
    CategoryUpserted(code="municipal.noise", name="噪音扰民", parent="municipal"),
    CategoryUpserted(code="environment", name="环境卫生"),
)


async def announce_directory(settings, db) -> None:
    """Routing's directory as intake would have learned it."""
    await announce(settings, db, *DIRECTORY)


async def closed_ticket(intake, settings, db, staff, headers, **overrides) -> str:
    """A ticket taken through the whole process and closed (its evaluation window run out)."""
    from tests.intake.test_process_rules import resolve

    number = await submit(intake, headers, **overrides)
    await assign(settings, intake, number, "532622100")
    await resolve(staff, number)
    async with db.transaction() as session:
        await service.close_unevaluated(session, intake.app.state.outbox,
                                        now=datetime.now(UTC) + timedelta(days=8))
    assert (await staff["center"].get(number)).json()["status"] == "closed"
    return number
