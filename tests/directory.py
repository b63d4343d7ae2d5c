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
