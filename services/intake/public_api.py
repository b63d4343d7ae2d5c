"""Public APIs for the citizen pages (no login): config, 案例公开, 办件查询; and staff publishing."""

import asyncio
import uuid

from fastapi import APIRouter, Query, Request

from services.core.auth import require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem
from services.intake import cases, limits, lookup, names, service
from services.intake.public_config import public_config
from services.intake.public_schemas import CaseDetail, CaseList, Lookup, PublicationIn
from services.intake.schemas import MAX_OFFSET, TicketNumber

router = APIRouter(prefix="/v1", tags=["public"])
CODE = r"^[a-z_]+(\.[a-z_]+)?$"


async def _photos(request: Request, media_ids) -> list[dict]:
    """Short-lived links to the ticked photos, from media; none while media cannot answer."""
    try:
        found = await asyncio.gather(*(request.app.state.media.read(media_id) for media_id in media_ids))
    except Problem:
        return []
    return [{"url": item["url"], "thumbnail_url": item.get("thumbnail_url")}
            for item in found if item and item.get("url")]


@router.get("/public/config")
async def config(session: SessionDep, request: Request) -> dict:
    """Counties with their hotline and towns, the acceptance scope, request types, categories."""
    return await public_config(session, request.app.state.intake_settings)


@router.get("/public/cases", response_model=CaseList)
async def list_cases(session: SessionDep, q: str | None = Query(None, max_length=100),
                     category: str | None = Query(None, pattern=CODE, max_length=64),
                     region: str | None = Query(None, pattern=r"^\d{6}$"),
                     limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """案例公开: published cases, ranked by relevance to `q`, else newest first."""
    rows, total = await cases.search(session, q=q, category=category, region=region, limit=limit,
                                     offset=offset)
    known = await names.load(session)
    return {"items": [cases.summary_view(row, known) for row in rows], "total": total}


@router.get("/public/cases/{case_id}", response_model=CaseDetail)
async def get_case(case_id: uuid.UUID, session: SessionDep, request: Request):
    """One published case: the staff's wording, the handling result, the ticked photos."""
    row = await cases.find(session, case_id)
    return cases.detail_view(row, await names.load(session), await _photos(request, row["photos"]))


@router.post("/tickets/{number}/publication", status_code=201, response_model=CaseDetail,
             tags=["tickets"])
async def publish(number: TicketNumber, body: PublicationIn, session: SessionDep, principal: CallerDep,
                  request: Request):
    """Publish a closed ticket as a public case (county dispatcher, admin); staff's own wording."""
    require(principal, *cases.PUBLISHERS)
    row = await cases.publish(session, await service.find(session, number), principal, body)
    return cases.detail_view(row, await names.load(session), await _photos(request, row["photos"]))


@router.delete("/public/cases/{case_id}", status_code=204)
async def withdraw(case_id: uuid.UUID, session: SessionDep, principal: CallerDep) -> None:
    """Withdraw a published case (county dispatcher, admin)."""
    require(principal, *cases.PUBLISHERS)
    await cases.withdraw(session, case_id, principal)


@router.get("/public/tickets/{number}", response_model=Lookup)
async def lookup_ticket(number: TicketNumber, session: SessionDep, request: Request,
                        phone_tail: str = Query(pattern=r"^\d{4}$", description="联系电话后四位")):
    """办件查询: the same 404 for a wrong number and a wrong tail; repeated misses get a 429."""
    limit, client = lookup.miss_limit(request.app.state.intake_settings), limits.client_ip(request)
    await limits.limiter(request).check(limit, client)
    ticket = await service.find(session, number)
    if not lookup.matches(ticket, phone_tail):
        await limits.limiter(request).hit(limit, client)
        raise lookup.NOT_FOUND
    return await lookup.lookup_view(session, ticket, await names.load(session))
