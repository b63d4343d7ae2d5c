"""What routing's seed announces (`unit.upserted`, `category.upserted`), written straight into
a service's names table: for tests of a service run without routing. Learning the directory
through the broker is tested on its own (tests/intake/test_directory.py)."""

from dataclasses import asdict

from sqlalchemy import Table

from services.core import names
from services.core.cache import Cached
from services.core.db import Database
from services.core.demo_directory import UNITS
from services.routing.catalog import CATEGORIES
from services.routing.events import CategoryUpserted, UnitUpserted


def unit_event(code: str, name: str, kind: str, region_code: str, parent: str | None = None,
               active: bool = True) -> UnitUpserted:
    return UnitUpserted(code=code, name=name, kind=kind, parent=parent, region_code=region_code,
                        handler_phones=[], handler_openids=[], leader_phones=[], active=active)


def demo_events() -> list:
    """Every unit and category of the demo seed, as routing's seed announces them."""
    units = [UnitUpserted(**{k: list(v) if isinstance(v, tuple) else v
                             for k, v in asdict(unit).items() if k in UnitUpserted.model_fields})
             for unit in UNITS.values()]
    categories = [CategoryUpserted(code=c.code, name=c.name, parent=c.parent, urgency=c.urgency,
                                   sla_class=c.sla_class, statutory_days=c.statutory_days,
                                   active=True) for c in CATEGORIES.values()]
    return units + categories


async def announce(database: Database, table: Table, events: list, cache: Cached | None = None) -> None:
    """Teach one service's names table these events, as its consumer would (clearing the
    service's `cache` of that table as its handler does)."""
    async with database.transaction() as session:
        if cache is not None:
            cache.changed(session)
        for event in events:
            envelope = event.envelope(producer="routing")
            learn = names.learn_unit if event.type == "unit.upserted" else names.learn_category
            await learn(session, table, envelope)


async def announce_town(database: Database, table: Table, code: str, region: str = "532622",
                        cache: Cached | None = None) -> None:
    """A town of the test's own, known as routing would announce it."""
    await announce(database, table, [unit_event(code, f"测试镇{code[-4:]}", "town", region, region)],
                   cache)


async def until_intake_knows(database_url: str, codes=("532622", "532622100", "municipal.streetlight"),
                             timeout: float = 60) -> None:
    """Wait until intake has heard routing's seed announce these codes: a platform just
    started refuses reports for places it has not heard of yet."""
    from sqlalchemy import func, select

    from services.core.consumer import wait_until
    from services.intake.models import names as intake_names

    database = Database(database_url, pool_size=1)

    async def known() -> bool:
        async with database.transaction() as session:
            found = await session.scalar(select(func.count()).select_from(intake_names)
                                         .where(intake_names.c.code.in_(list(codes))))
        return found == len(codes)

    try:
        assert await wait_until(known, timeout=timeout), f"intake never heard of {codes}"
    finally:
        await database.dispose()
