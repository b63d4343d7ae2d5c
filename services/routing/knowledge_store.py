"""The knowledge base in the database: items, their search, and the views and matches counted."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TSQUERY, TSVECTOR, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.routing import knowledge_text
from services.routing.models import knowledge, knowledge_hits

BEIJING = ZoneInfo("Asia/Shanghai")
HOT_DAYS = 7
# ts_rank's weights for D, C, B, A: body words (C) count a fifth of title words (A).
WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"
MATCHED = 3  # the best answers of a search count as matched: what the 热门 list ranks by
FIELDS = ("title", "body", "category", "region", "keywords")
# Everything but the search words: what an answer shows.
SHOWN = [column for column in knowledge.c if column.name not in ("search", "headline")]


def today() -> date:
    """The day in Beijing: the unit the hot counts are kept in."""
    return datetime.now(BEIJING).date()


def _tsquery(q_text: str):
    return cast(literal(q_text, String), TSQUERY)


def _vectors(values: dict) -> dict:
    def vector(*texts):
        return cast(literal(knowledge_text.vector(*texts), String), TSVECTOR)
    return {"search": vector(values["title"], values["keywords"], values["body"]),
            "headline": vector(values["title"], values["keywords"])}


async def get(session: AsyncSession, item_id: uuid.UUID) -> dict | None:
    """One item by its id."""
    return (await session.execute(select(*SHOWN).where(knowledge.c.id == item_id))
            ).mappings().first()


async def create(session: AsyncSession, values: dict, item_id: uuid.UUID | None = None) -> dict:
    """Add an item (or replace the one with this id: the seed's items keep their ids)."""
    row = {field: values[field] for field in FIELDS}
    statement = insert(knowledge).values(id=item_id or uuid.uuid4(), **_vectors(row), **row)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={**row, "search": statement.excluded.search,
                                     "headline": statement.excluded.headline,
                                     "updated_at": func.now()})
    return (await session.execute(statement.returning(*SHOWN))).mappings().one()


async def change(session: AsyncSession, current: dict, changes: dict) -> dict:
    """Change an item's fields; its search words follow."""
    row = {**{field: current[field] for field in FIELDS}, **changes}
    return (await session.execute(
        update(knowledge).where(knowledge.c.id == current["id"])
        .values(**row, **_vectors(row), updated_at=func.now()).returning(*SHOWN)
    )).mappings().one()


async def reindex(session: AsyncSession) -> int:
    """Cut every item's words again (after a change of the tokenizer's dictionary); how many."""
    rows = (await session.execute(select(knowledge.c.id, *[knowledge.c[f] for f in FIELDS])
                                  .order_by(knowledge.c.id))).mappings().all()
    for row in rows:
        await session.execute(update(knowledge).where(knowledge.c.id == row["id"])
                              .values(**_vectors(row)))
    return len(rows)


async def remove(session: AsyncSession, item_id: uuid.UUID) -> bool:
    """Delete an item and its counts; False when there was none."""
    result = await session.execute(delete(knowledge).where(knowledge.c.id == item_id))
    return result.rowcount > 0


def region_filter(column, region: str) -> ColumnElement:
    """Items for everyone, for the region's own prefecture or province, or for places within it."""
    ancestors = {region, f"{region[:4]}00", f"{region[:2]}0000"}
    scope = region.rstrip("0") or region
    return or_(column.is_(None), column.in_(ancestors), column.startswith(scope, autoescape=True))


def _filters(matched, category: str | None, region: str | None):
    conditions = [matched] if matched is not None else []
    if category:
        conditions.append(or_(knowledge.c.category == category,
                              knowledge.c.category.startswith(f"{category}.", autoescape=True)))
    if region:
        conditions.append(region_filter(knowledge.c.region, region))
    return and_(True, *conditions)


async def search(session: AsyncSession, *, q: str | None = None, category: str | None = None,
                 region: str | None = None, limit: int = 10, offset: int = 0,
                 in_titles: bool = False) -> tuple[list[dict], int]:
    """Items matching any of the words of `q` (best first; `in_titles`: in their titles or
    keywords) or all items (newest first); and how many there are."""
    q_text = knowledge_text.query(q) if q else None
    if q and q_text is None:
        return [], 0
    vector = knowledge.c.headline if in_titles else knowledge.c.search
    matched = vector.op("@@")(_tsquery(q_text)) if q_text else None
    where = _filters(matched, category, region)
    query = select(*SHOWN).where(where).limit(limit).offset(offset)
    if q_text is not None:
        weights = cast(literal(WEIGHTS, String), ARRAY(REAL))
        query = query.order_by(func.ts_rank(weights, vector, _tsquery(q_text)).desc())
    query = query.order_by(knowledge.c.updated_at.desc(), knowledge.c.id)
    rows = list((await session.execute(query)).mappings())
    if offset == 0 and len(rows) < limit:  # the whole answer is on this page
        return rows, len(rows)
    total = (await session.execute(select(func.count()).select_from(knowledge).where(where))
             ).scalar_one()
    return rows, total


async def count(session: AsyncSession, items: list[uuid.UUID], *, views: int = 0,
                matches: int = 0) -> None:
    """Add views or matches to today's counts of these items."""
    if not items:
        return
    day = today()
    rows = [{"knowledge_id": i, "day": day, "views": views, "matches": matches}
            for i in sorted(set(items))]  # one order for every writer: no deadlocks
    statement = insert(knowledge_hits).values(rows)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["knowledge_id", "day"],
        set_={"views": knowledge_hits.c.views + statement.excluded.views,
              "matches": knowledge_hits.c.matches + statement.excluded.matches}))


async def hot(session: AsyncSession, *, region: str | None, limit: int = 10) -> list[dict]:
    """The items viewed and matched most in the last seven days."""
    hits = func.sum(knowledge_hits.c.views + knowledge_hits.c.matches).label("hits")
    query = (select(knowledge.c.id, knowledge.c.title, hits)
             .join(knowledge_hits, knowledge_hits.c.knowledge_id == knowledge.c.id)
             .where(knowledge_hits.c.day > today() - timedelta(days=HOT_DAYS))
             .group_by(knowledge.c.id, knowledge.c.title)
             .order_by(hits.desc(), knowledge.c.title).limit(limit))
    if region:
        query = query.where(region_filter(knowledge.c.region, region))
    return [dict(row) for row in (await session.execute(query)).mappings()]
