"""Units and categories in the database: reads, and upserts that announce them to others."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing import directory_cache
from services.routing.events import OUTBOX, CategoryUpserted, UnitUpserted
from services.routing.models import categories, units

UNIT_FIELDS = ("code", "name", "kind", "parent", "region_code", "handler_phones",
               "handler_openids", "leader_phones", "active")
CATEGORY_FIELDS = ("code", "name", "parent", "urgency", "sla_class", "statutory_days", "active")


async def get_unit(session: AsyncSession, code: str) -> dict | None:
    """A unit by its code."""
    return (await session.execute(select(units).where(units.c.code == code))).mappings().first()


async def units_by_code(session: AsyncSession, codes: set[str]) -> dict[str, dict]:
    """The units with these codes, by code (unknown codes are left out)."""
    rows = await session.execute(select(units).where(units.c.code.in_(codes)))
    return {row["code"]: row for row in rows.mappings()}


async def list_units(session: AsyncSession, *, region_code: str | None = None,
                     kind: str | None = None, active: bool | None = None) -> list[dict]:
    """Units, optionally of one county, one kind, or only (in)active ones, by code."""
    query = select(units).order_by(units.c.code)
    if region_code:
        query = query.where(units.c.region_code == region_code)
    if kind:
        query = query.where(units.c.kind == kind)
    if active is not None:
        query = query.where(units.c.active.is_(active))
    return list((await session.execute(query)).mappings())


async def save_unit(session: AsyncSession, values: dict) -> dict:
    """Create or replace a unit and publish `unit.upserted` (notify: recipients; others: names)."""
    row = {field: values[field] for field in UNIT_FIELDS}
    directory_cache.changed(session)
    saved = (await session.execute(
        insert(units).values(**row)
        .on_conflict_do_update(index_elements=["code"], set_={**row, "updated_at": func.now()})
        .returning(units)
    )).mappings().one()
    await OUTBOX.stage(session, UnitUpserted(**{f: _listed(saved[f]) for f in UNIT_FIELDS}))
    return saved


async def announce_all(session: AsyncSession) -> dict:
    """Publish every unit and category again, so services that keep their names catch up."""
    unit_rows, category_rows = await list_units(session), await list_categories(session)
    for row in unit_rows:
        await OUTBOX.stage(session, UnitUpserted(**{f: _listed(row[f]) for f in UNIT_FIELDS}))
    for row in category_rows:
        await OUTBOX.stage(session, CategoryUpserted(**{f: row[f] for f in CATEGORY_FIELDS}))
    return {"units": len(unit_rows), "categories": len(category_rows)}


def _listed(value):
    return list(value) if isinstance(value, tuple) else value


async def get_category(session: AsyncSession, code: str | None) -> dict | None:
    """A category by its code."""
    if not code:
        return None
    query = select(categories).where(categories.c.code == code)
    return (await session.execute(query)).mappings().first()


async def list_categories(session: AsyncSession, *, active: bool | None = None) -> list[dict]:
    """Categories, parents before their sub-categories."""
    query = select(categories).order_by(categories.c.code)
    if active is not None:
        query = query.where(categories.c.active.is_(active))
    return list((await session.execute(query)).mappings())


async def save_category(session: AsyncSession, values: dict) -> dict:
    """Create or replace a category and publish `category.upserted` so others know its name."""
    row = {field: values[field] for field in CATEGORY_FIELDS}
    directory_cache.changed(session)
    saved = (await session.execute(
        insert(categories).values(**row)
        .on_conflict_do_update(index_elements=["code"], set_={**row, "updated_at": func.now()})
        .returning(categories)
    )).mappings().one()
    await OUTBOX.stage(session, CategoryUpserted(**{f: saved[f] for f in CATEGORY_FIELDS}))
    return saved
