"""Staff desk routes: the ticket search, the dashboard, the requests awaiting the center."""

from typing import Literal

from fastapi import APIRouter, Query, Request

from services.core.auth import Role, require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem
from services.intake import queues, search, unit_requests
from services.intake.search_schemas import (
    Dashboard,
    RequestOut,
    TicketPage,
    TicketQuery,
    query_parameters,
)

router = APIRouter(prefix="/v1", tags=["desk"])


@router.get("/search/tickets", response_model=TicketPage,
            openapi_extra={"parameters": query_parameters(TicketQuery)})
async def search_tickets(request: Request, session: SessionDep, actor: CallerDep):
    """工单查询: tickets within the caller's jurisdiction by any filters, a page at a time."""
    if not actor.is_staff:
        raise Problem(403, "无权操作", "仅限工作人员")
    query = TicketQuery.read(request.query_params)
    return await search.search(session, actor, query, secret=request.app.state.settings.jwt_secret)


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(session: SessionDep, actor: CallerDep):
    """工作台: how many tickets await the caller, per to-do; each key is a `queue=` of the search."""
    return await queues.dashboard(session, actor)


@router.get("/requests", response_model=list[RequestOut])
async def requests(session: SessionDep, actor: CallerDep,
                   kind: Literal["return", "extension"] | None = None,
                   state: Literal["pending", "approved", "denied"] = "pending",
                   limit: int = Query(100, ge=1, le=200)):
    """退件、延期申请 of the caller's counties (command center, admin), oldest first."""
    require(actor, Role.dispatcher, Role.admin)
    return await unit_requests.listed(session, actor, kind=kind, state=state, limit=limit)
