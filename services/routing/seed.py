"""Load the demo directory, the category catalog and the seed rules; safe to run again."""

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.demo_directory import UNITS
from services.core.settings import Settings
from services.routing.catalog import CATEGORIES
from services.routing.directory_store import save_category, save_unit
from services.routing.rule_store import upsert_rule
from services.routing.rules import RULES


async def seed(session: AsyncSession, settings: Settings) -> dict:
    """Upsert every demo unit (announcing each), category and rule."""
    if settings.production:
        raise RuntimeError("the demo seed never runs with ENV=production")
    for unit in UNITS.values():  # parents come first in the directory
        await save_unit(session, {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in asdict(unit).items()})
    for cat in CATEGORIES.values():
        await save_category(session, {
            "code": cat.code, "name": cat.name, "parent": cat.parent, "urgency": cat.urgency,
            "sla_class": cat.sla_class, "statutory_days": cat.statutory_days, "active": True})
    for rule in RULES:
        await upsert_rule(session, rule)
    return {"units": len(UNITS), "categories": len(CATEGORIES), "rules": len(RULES)}
