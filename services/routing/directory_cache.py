"""The directory as routing's decisions read it: categories, units and rules, kept in memory.

Every new ticket reads its category, the rules of its family and the units they name; these
change when an administrator edits them, a few times a week. They are read from the database
at most every 10 seconds per process; an edit made here applies at once (its transaction
clears the copy when it commits), on other replicas within those 10 seconds. Administration
itself (directory_store, rule_store) reads the tables, never this copy.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.routing.models import categories, rule_co_units, rules, units


@dataclass(frozen=True)
class Directory:
    categories: dict[str, dict]
    units: dict[str, dict]
    rules: list[dict]  # in id order: of equally specific rules, the older wins
    co: dict[int, list[dict]]  # rule id → its co units, by unit code


async def _read(session: AsyncSession) -> Directory:
    co: dict[int, list[dict]] = defaultdict(list)
    rows = await session.execute(select(rule_co_units)
                                 .order_by(rule_co_units.c.rule_id, rule_co_units.c.unit_code))
    for row in rows.mappings():
        co[row["rule_id"]].append(dict(row))
    return Directory(
        categories={r["code"]: dict(r) for r in (await session.execute(select(categories))).mappings()},
        units={r["code"]: dict(r) for r in (await session.execute(select(units))).mappings()},
        rules=[dict(r) for r in (await session.execute(select(rules).order_by(rules.c.id))).mappings()],
        co=dict(co),
    )


_cached = Cached(_read)


async def directory(session: AsyncSession) -> Directory:
    return await _cached.get(session)


def changed(session: AsyncSession) -> None:
    """The caller's transaction edits the directory: every reader here sees it once committed."""
    _cached.changed(session)


async def category(session: AsyncSession, code: str | None) -> dict | None:
    """A category by its code."""
    return (await directory(session)).categories.get(code) if code else None


async def units_by_code(session: AsyncSession, codes: set[str]) -> dict[str, dict]:
    """The units with these codes, by code (unknown codes are left out)."""
    known = (await directory(session)).units
    return {code: known[code] for code in codes if code in known}


async def command_center_for(session: AsyncSession, region_code: str) -> dict | None:
    """The nearest active command center: the county's, else the prefecture's or province's."""
    codes = [f"cc-{region_code}", f"cc-{region_code[:4]}00", f"cc-{region_code[:2]}0000"]
    found = await units_by_code(session, set(codes))
    return next((found[c] for c in codes if c in found and found[c]["active"]), None)


async def broadest_center(session: AsyncSession) -> dict | None:
    """The active command center over the widest area (the prefecture's): where a ticket
    goes when no center covers its region, so a person sees it instead of no one."""
    centers = [u for u in (await directory(session)).units.values()
               if u["kind"] == "command_center" and u["active"]]
    return min(centers, key=_widest_first, default=None)


def _widest_first(center: dict) -> tuple[int, str]:
    region = center["region_code"]  # 530000 (province) before 532600 (prefecture) before 532622
    return -(len(region) - len(region.rstrip("0"))), center["code"]


async def active_category_names(session: AsyncSession, codes: list[str]) -> dict[str, str]:
    """The names of those of these categories that exist and are active, by code."""
    known = (await directory(session)).categories
    return {c: known[c]["name"] for c in codes if c in known and known[c]["active"]}


async def candidate_rules(session: AsyncSession, category_code: str,
                          region_code: str) -> list[tuple[dict, list[dict]]]:
    """Active rules of the category's family covering the region, whose lead is active,
    each with its active co units."""
    d = await directory(session)

    def active(code: str) -> bool:
        return code in d.units and d.units[code]["active"]

    return [
        (rule, [c for c in d.co.get(rule["id"], []) if active(c["unit_code"])])
        for rule in d.rules
        if rule["active"] and active(rule["lead"])
        and (rule["category"] == category_code or category_code.startswith(rule["category"] + "."))
        and region_code.startswith(rule["region_prefix"])
    ]
