"""The knowledge base: admins maintain it; anyone may search it (热门话题, 我要查询)."""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Role, require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem, field_error
from services.routing import knowledge_store
from services.routing.directory_cache import directory
from services.routing.knowledge_schemas import (
    KnowledgeAdminPage,
    KnowledgeIn,
    KnowledgeOut,
    KnowledgePage,
    KnowledgePatch,
)
from services.routing.schemas import CATEGORY_CODE, REGION

router = APIRouter(prefix="/v1", tags=["knowledge"])
SUMMARY = 80
Words = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$",
                                    description="检索词，如：社保卡补办")]
CategoryQuery = Annotated[str | None, Query(pattern=CATEGORY_CODE, max_length=64,
                                            description="分类代码（含其子分类）")]
RegionQuery = Annotated[str | None, Query(pattern=REGION, description="县（市）或州的行政区划代码")]
NOT_FOUND = Problem(404, "未找到", "知识条目不存在或已删除")
_SPACES = re.compile(r"\s+")


def summary(body: str) -> str:
    """The first words of an answer, on one line."""
    flat = _SPACES.sub(" ", body).strip()
    return flat if len(flat) <= SUMMARY else flat[:SUMMARY] + "…"


async def category_names(session: AsyncSession) -> dict[str, str]:
    """Every category's name by code."""
    return {code: row["name"] for code, row in (await directory(session)).categories.items()}


def summary_view(row: dict, names: dict[str, str]) -> dict:
    """An item as a search result lists it."""
    return {"id": row["id"], "title": row["title"], "summary": summary(row["body"]),
            "category": row["category"], "category_name": names.get(row["category"], row["category"]),
            "region": row["region"]}


def item_view(row: dict, names: dict[str, str]) -> dict:
    """An item with every field."""
    return {**row, "category_name": names.get(row["category"], row["category"])}


async def _check(session: AsyncSession, values: dict) -> None:
    found = await directory(session)
    category = found.categories.get(values["category"])
    if category is None or not category["active"]:
        raise field_error("category", "分类不存在或已停用")
    region = values.get("region")
    if region and not any(unit["region_code"] == region for unit in found.units.values()):
        raise field_error("region", "地区不在本平台的行政区划内")


async def _found(session: AsyncSession, item_id: uuid.UUID) -> dict:
    row = await knowledge_store.get(session, item_id)
    if row is None:
        raise NOT_FOUND
    return row


@router.get("/knowledge", response_model=KnowledgeAdminPage)
async def list_items(session: SessionDep, principal: CallerDep, q: Words = None,
                     category: CategoryQuery = None, region: RegionQuery = None,
                     limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=100_000)):
    """The knowledge base for its editors, searchable like the public list."""
    require(principal, Role.admin)
    rows, total = await knowledge_store.search(session, q=q, category=category, region=region,
                                               limit=limit, offset=offset)
    names = await category_names(session)
    return {"items": [item_view(row, names) for row in rows], "total": total}


@router.post("/knowledge", response_model=KnowledgeOut, status_code=201)
async def create_item(body: KnowledgeIn, session: SessionDep, principal: CallerDep):
    """Add a policy answer or office guide."""
    require(principal, Role.admin)
    await _check(session, body.model_dump())
    row = await knowledge_store.create(session, body.model_dump())
    return item_view(row, await category_names(session))


@router.get("/knowledge/{item_id}", response_model=KnowledgeOut)
async def get_item(item_id: uuid.UUID, session: SessionDep, principal: CallerDep):
    """One item, as its editors see it (not counted as a view)."""
    require(principal, Role.admin)
    return item_view(await _found(session, item_id), await category_names(session))


@router.patch("/knowledge/{item_id}", response_model=KnowledgeOut)
async def update_item(item_id: uuid.UUID, body: KnowledgePatch, session: SessionDep,
                      principal: CallerDep):
    """Change an item; only the fields given change."""
    require(principal, Role.admin)
    current = await _found(session, item_id)
    changes = body.model_dump(exclude_unset=True)
    await _check(session, {**current, **changes})
    row = await knowledge_store.change(session, current, changes)
    return item_view(row, await category_names(session))


@router.delete("/knowledge/{item_id}", status_code=204)
async def delete_item(item_id: uuid.UUID, session: SessionDep, principal: CallerDep):
    """Remove an item and its counts."""
    require(principal, Role.admin)
    if not await knowledge_store.remove(session, item_id):
        raise NOT_FOUND
    return Response(status_code=204)


@router.get("/public/knowledge", response_model=KnowledgePage, tags=["public"])
async def search_items(session: SessionDep, q: Words = None, category: CategoryQuery = None,
                       region: RegionQuery = None, limit: int = Query(10, ge=1, le=50),
                       offset: int = Query(0, ge=0, le=10_000)):
    """我要查询: the answers for a question, best first (no login)."""
    rows, total = await knowledge_store.search(session, q=q, category=category, region=region,
                                               limit=limit, offset=offset)
    if q and offset == 0:
        await knowledge_store.count(session, [row["id"] for row in rows[:knowledge_store.MATCHED]],
                                    matches=1)
    names = await category_names(session)
    return {"items": [summary_view(row, names) for row in rows], "total": total}


@router.get("/public/knowledge/{item_id}", response_model=KnowledgeOut, tags=["public"])
async def read_item(item_id: uuid.UUID, session: SessionDep):
    """One answer in full (no login); counted as a view for the 热门 list."""
    row = await _found(session, item_id)
    await knowledge_store.count(session, [row["id"]], views=1)
    return item_view(row, await category_names(session))
