"""Load the demo directory, the category catalog, the seed rules and the knowledge base;
safe to run again."""

import json
import uuid
from dataclasses import asdict
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.demo_directory import UNITS
from services.core.settings import Settings
from services.routing import knowledge_store
from services.routing.catalog import CATEGORIES
from services.routing.directory_store import save_category, save_unit
from services.routing.knowledge_schemas import KnowledgeIn
from services.routing.rule_store import upsert_rule
from services.routing.rules import RULES

KNOWLEDGE = Path(__file__).with_name("knowledge_seed.json")
# Loaded answers keep their ids from one load to the next: a second load updates them.
KNOWLEDGE_IDS = uuid.UUID("6f1c3e5a-1a2b-4c3d-9e8f-12345c0ffee0")


async def seed(session: AsyncSession, settings: Settings) -> dict:
    """Upsert every demo unit (announcing each), category, rule and knowledge item."""
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
    knowledge = await load_knowledge(session, json.loads(KNOWLEDGE.read_text(encoding="utf-8")))
    return {"units": len(UNITS), "categories": len(CATEGORIES), "rules": len(RULES),
            "knowledge": knowledge}


async def load_knowledge(session: AsyncSession, items: list[dict]) -> int:
    """Upsert answers (checked as the admin API checks a body), each under an id made from its
    title; how many."""
    for item in items:
        values = KnowledgeIn.model_validate(item).model_dump()
        await knowledge_store.create(session, values, uuid.uuid5(KNOWLEDGE_IDS, values["title"]))
    return len(items)
