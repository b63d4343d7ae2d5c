"""我的视图: a staff member's saved list filters (the console's query strings), by name."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import Field
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem
from services.intake.models import saved_views
from services.intake.schemas import RawText, Strict, Text

router = APIRouter(prefix="/v1/me", tags=["staff"])
MAX_VIEWS = 20


class SavedViewIn(Strict):
    name: Text = Field(min_length=1, max_length=40, description="视图名称，如「本周紧急」")
    query: RawText = Field("", max_length=1000, description="工单列表的查询条件（URL 查询串）")


def _staff(principal) -> str:
    if not principal.is_staff:
        raise Problem(403, "无权操作", "仅限工作人员")
    return principal.subject


@router.get("/views")
async def list_views(session: SessionDep, principal: CallerDep) -> list[dict]:
    """The caller's saved views, by name."""
    rows = await session.execute(select(saved_views.c.id, saved_views.c.name, saved_views.c.query)
                                 .where(saved_views.c.username == _staff(principal))
                                 .order_by(saved_views.c.name))
    return [dict(row) for row in rows.mappings()]


@router.post("/views", status_code=201)
async def save_view(body: SavedViewIn, session: SessionDep, principal: CallerDep) -> dict:
    """Save the list's filters under a name; the same name again replaces them."""
    username = _staff(principal)
    count = await session.scalar(select(func.count()).where(saved_views.c.username == username,
                                                            saved_views.c.name != body.name))
    if count >= MAX_VIEWS:
        raise Problem(422, "请求参数有误", f"最多保存 {MAX_VIEWS} 个视图，请先删除不用的",
                      errors=[{"field": "name", "message": f"最多保存 {MAX_VIEWS} 个视图"}])
    statement = insert(saved_views).values(username=username, name=body.name, query=body.query)
    row = (await session.execute(statement.on_conflict_do_update(
        index_elements=["username", "name"], set_={"query": body.query})
        .returning(saved_views.c.id, saved_views.c.name, saved_views.c.query))).mappings().one()
    return dict(row)


@router.delete("/views/{view_id}", status_code=204)
async def delete_view(view_id: Annotated[int, Path(ge=1, le=2**63 - 1)], session: SessionDep, principal: CallerDep) -> Response:
    """Forget one of the caller's views (another person's stays: 404)."""
    gone = await session.execute(delete(saved_views).where(
        saved_views.c.id == view_id, saved_views.c.username == _staff(principal)))
    if not gone.rowcount:
        raise Problem(404, "未找到", "视图不存在")
    return Response(status_code=204)
