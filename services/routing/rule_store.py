"""Routing rules in the database: matching a ticket against them, and their upkeep."""

from collections import defaultdict

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing import directory_cache
from services.routing.models import rule_co_units, rule_key, rules
from services.routing.rules import Assignee, Match, Rule, match_rule

RULE_FIELDS = ("category", "region_prefix", "town_code", "lead", "priority", "active")


async def match(session: AsyncSession, category_code: str, region_code: str,
                town_code: str | None = None,
                exclude: frozenset[str] = frozenset()) -> Match | None:
    """The lead and co units the rules give a ticket, passing over excluded units."""
    found = await directory_cache.candidate_rules(session, category_code, region_code)
    return match_rule([_rule(row, co) for row, co in found], category_code, region_code,
                      town_code, exclude)


def _rule(row, co: list[dict]) -> Rule:
    assignees = tuple(Assignee(c["unit_code"], c["role"]) for c in co)
    return Rule(row["category"], row["region_prefix"], row["lead"], assignees,
                town_code=row["town_code"], priority=row["priority"])


async def _co_units(session: AsyncSession, rule_ids: list[int]) -> dict[int, list[dict]]:
    query = (select(rule_co_units.c.rule_id, rule_co_units.c.unit_code, rule_co_units.c.role)
             .where(rule_co_units.c.rule_id.in_(rule_ids))
             .order_by(rule_co_units.c.rule_id, rule_co_units.c.unit_code))
    found: dict[int, list[dict]] = defaultdict(list)
    for row in (await session.execute(query)).mappings():
        found[row["rule_id"]].append({"unit_code": row["unit_code"], "role": row["role"]})
    return found


async def list_rules(session: AsyncSession, *, category: str | None = None,
                     region_prefix: str | None = None, lead: str | None = None) -> list[dict]:
    """Rules with their co units, filtered by category, region prefix or lead unit."""
    query = select(rules).order_by(rules.c.region_prefix, rules.c.category, rules.c.id)
    if category:
        query = query.where(rules.c.category == category)
    if region_prefix:
        query = query.where(rules.c.region_prefix == region_prefix)
    if lead:
        query = query.where(rules.c.lead == lead)
    rows = list((await session.execute(query)).mappings())
    co = await _co_units(session, [row["id"] for row in rows])
    return [{**row, "co": co[row["id"]]} for row in rows]


async def get_rule(session: AsyncSession, rule_id: int) -> dict | None:
    """One rule with its co units."""
    row = (await session.execute(select(rules).where(rules.c.id == rule_id))).mappings().first()
    if row is None:
        return None
    return {**row, "co": (await _co_units(session, [rule_id]))[rule_id]}


async def same_key(session: AsyncSession, values: dict) -> int | None:
    """The id of the rule with this category, region prefix, town and lead, if there is one."""
    return await session.scalar(select(rules.c.id).where(
        rules.c.category == values["category"], rules.c.region_prefix == values["region_prefix"],
        rules.c.town_code.is_not_distinct_from(values["town_code"]),
        rules.c.lead == values["lead"]))


async def create_rule(session: AsyncSession, values: dict, co: list[dict]) -> dict | None:
    """A new rule; None when the same category, place and lead already have one."""
    row = {field: values[field] for field in RULE_FIELDS}
    directory_cache.changed(session)
    rule_id = await session.scalar(
        insert(rules).values(**row).on_conflict_do_nothing().returning(rules.c.id))
    if rule_id is None:
        return None
    await _replace_co(session, rule_id, co)
    return await get_rule(session, rule_id)


async def upsert_rule(session: AsyncSession, rule: Rule) -> int:
    """Create or refresh a seed rule by its natural key; returns its id."""
    row = {"category": rule.category, "region_prefix": rule.region_prefix,
           "town_code": rule.town_code, "lead": rule.lead, "priority": rule.priority,
           "active": True}
    directory_cache.changed(session)
    rule_id = await session.scalar(
        insert(rules).values(**row)
        .on_conflict_do_update(constraint=rule_key,
                               set_={"priority": rule.priority, "active": True,
                                     "updated_at": func.now()})
        .returning(rules.c.id))
    await _replace_co(session, rule_id, [{"unit_code": a.unit_code, "role": a.role}
                                         for a in rule.co])
    return rule_id


async def update_rule(session: AsyncSession, rule_id: int, values: dict,
                      co: list[dict] | None) -> dict | None:
    """Change a rule's fields (and its co units when given); None if it does not exist."""
    changed = {f: values[f] for f in RULE_FIELDS if f in values}
    directory_cache.changed(session)
    found = await session.scalar(update(rules).where(rules.c.id == rule_id)
                                 .values(**changed, updated_at=func.now())
                                 .returning(rules.c.id))
    if found is None:
        return None
    if co is not None:
        await _replace_co(session, rule_id, co)
    return await get_rule(session, rule_id)


async def delete_rule(session: AsyncSession, rule_id: int) -> bool:
    """Remove a rule and its co units; False if there was none."""
    directory_cache.changed(session)
    gone = await session.scalar(delete(rules).where(rules.c.id == rule_id).returning(rules.c.id))
    return gone is not None


async def _replace_co(session: AsyncSession, rule_id: int, co: list[dict]) -> None:
    await session.execute(delete(rule_co_units).where(rule_co_units.c.rule_id == rule_id))
    if co:
        await session.execute(insert(rule_co_units),
                              [{"rule_id": rule_id, "unit_code": c["unit_code"], "role": c["role"]}
                               for c in co])
