"""Chinese names for unit and category codes, as routing announces them (docs/events.md).

Each service that prints names keeps its own copy in its own schema, learned from
`unit.upserted` and `category.upserted`: the newer event wins, a redelivered or older one
changes nothing, and a code never announced reads as the code itself.
"""

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.events import Envelope

UNIT, CATEGORY = "unit", "category"
REGION_KINDS = ("prefecture", "county")  # a region code is the code of one of these units
UNCATEGORISED = "未分类"
UNKNOWN = "未知"


def names_table(metadata: MetaData) -> Table:
    """Names of units and categories in one service schema, keyed by (kind, code)."""
    return Table(
        "names",
        metadata,
        Column("kind", String(10), primary_key=True),  # unit | category
        Column("code", String(64), primary_key=True),
        Column("name", String(100), nullable=False),
        Column("unit_kind", String(20)),  # county, town, department, ... as routing says
        Column("region_code", String(6)),
        Column("parent", String(64)),
        Column("active", Boolean, nullable=False, server_default="true"),
        # When the producer changed it (the event's occurred_at): the newer event wins.
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


class UnitNamed(BaseModel):
    """What a names table reads from `unit.upserted`; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: str
    kind: str | None = None
    parent: str | None = None
    region_code: str | None = None
    active: bool = True


class CategoryNamed(BaseModel):
    """What a names table reads from `category.upserted`; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: str
    parent: str | None = None
    active: bool = True


async def learn_unit(session: AsyncSession, table: Table, envelope: Envelope) -> None:
    """Remember a unit's name, place and kind from `unit.upserted`."""
    unit = UnitNamed.model_validate(envelope.data)
    await _upsert(session, table, {
        "kind": UNIT, "code": unit.code, "name": unit.name, "unit_kind": unit.kind,
        "region_code": unit.region_code, "parent": unit.parent, "active": unit.active,
        "updated_at": envelope.occurred_at})


async def learn_category(session: AsyncSession, table: Table, envelope: Envelope) -> None:
    """Remember a category's name from `category.upserted`."""
    category = CategoryNamed.model_validate(envelope.data)
    await _upsert(session, table, {
        "kind": CATEGORY, "code": category.code, "name": category.name, "unit_kind": None,
        "region_code": None, "parent": category.parent, "active": category.active,
        "updated_at": envelope.occurred_at})


async def _upsert(session: AsyncSession, table: Table, row: dict) -> None:
    statement = insert(table).values(row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.code],
        set_={key: statement.excluded[key] for key in row if key not in ("kind", "code")},
        where=table.c.updated_at < statement.excluded.updated_at,
    ))


@dataclass(frozen=True)
class Names:
    """One read of a names table: lookups that fall back to the code, never fail."""

    units: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)

    def unit(self, code: str | None, fallback: str | None = None) -> str:
        """A unit's, county's or town's name (砚山县江那镇); else `fallback`, else the code."""
        if not code:
            return UNKNOWN
        return self.units.get(code) or fallback or code

    def category(self, code: str | None) -> str:
        """A category's name (噪音扰民); 未分类 for none, the code if never announced."""
        if not code:
            return UNCATEGORISED
        return self.categories.get(code) or code

    def region(self, code: str | None) -> str:
        """A county's or the prefecture's name by its adcode (532622 → 砚山县)."""
        if not code:
            return UNKNOWN
        return self.regions.get(code) or code


async def load(session: AsyncSession, table: Table) -> Names:
    """Every name a service knows, read once (for one page or report)."""
    rows = (await session.execute(
        select(table.c.kind, table.c.code, table.c.name, table.c.unit_kind))).all()
    return Names(
        units={row.code: row.name for row in rows if row.kind == UNIT},
        categories={row.code: row.name for row in rows if row.kind == CATEGORY},
        regions={row.code: row.name for row in rows
                 if row.kind == UNIT and row.unit_kind in REGION_KINDS},
    )
