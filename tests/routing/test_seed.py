"""The seed: the demo directory, categories and rules, loaded again without doubling anything."""

import json

from sqlalchemy import func, select

from services.core.demo_directory import UNITS
from services.routing.catalog import CATEGORIES
from services.routing.directory_store import announce_all
from services.routing.models import categories, rule_co_units, rules, units
from services.routing.rules import RULES
from services.routing.seed import KNOWLEDGE, seed


async def counts(db) -> tuple[int, int, int, int]:
    async with db.transaction() as session:
        seeded = (rules.c.lead.in_({r.lead for r in RULES}))
        return (await session.scalar(select(func.count()).select_from(units)
                                     .where(units.c.code.in_(UNITS))),
                await session.scalar(select(func.count()).select_from(categories)
                                     .where(categories.c.code.in_(CATEGORIES))),
                await session.scalar(select(func.count()).select_from(rules).where(seeded)),
                await session.scalar(select(func.count()).select_from(rule_co_units)
                                     .join(rules).where(seeded)))


async def test_seeding_again_changes_nothing_and_announces_every_unit_and_category(
        settings, routing, db, events):
    before = await counts(db)

    async with db.transaction() as session:
        summary = await seed(session, settings)

    assert await counts(db) == before
    assert before[:3] == (len(UNITS), len(CATEGORIES), len(RULES))
    assert before[3] == sum(len(r.co) for r in RULES)
    assert summary == {"units": len(UNITS), "categories": len(CATEGORIES), "rules": len(RULES),
                       "knowledge": len(json.loads(KNOWLEDGE.read_text(encoding="utf-8")))}
    announced = await events.collect(lambda m: m["type"] == "unit.upserted"
                                     and m["data"]["code"] in UNITS, count=len(UNITS))
    police = next(m["data"] for m in announced if m["data"]["code"] == "532622-police")
    assert police["name"] == "砚山县公安局" and police["handler_phones"] == list(
        UNITS["532622-police"].handler_phones)
    named = await events.collect(lambda m: m["type"] == "category.upserted"
                                 and m["data"]["code"] in CATEGORIES, count=len(CATEGORIES))
    assert {m["data"]["code"]: m["data"]["name"] for m in named} == {
        code: cat.name for code, cat in CATEGORIES.items()}


async def test_the_whole_directory_is_announced_again_on_request(routing, db, events):
    async with db.transaction() as session:
        counts = await announce_all(session)

    assert counts["units"] >= len(UNITS) and counts["categories"] >= len(CATEGORIES)
    units = await events.collect(lambda m: m["type"] == "unit.upserted"
                                 and m["data"]["code"] in UNITS, count=len(UNITS))
    named = await events.collect(lambda m: m["type"] == "category.upserted"
                                 and m["data"]["code"] in CATEGORIES, count=len(CATEGORIES))
    assert {m["data"]["code"] for m in units} == set(UNITS)
    assert {m["data"]["code"] for m in named} == set(CATEGORIES)
