"""GET /v1/classifier: which classifier routes tickets, how well, and how many it dispatches."""

from datetime import timedelta

from fastapi import APIRouter, Query
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.deps import CallerDep, SessionDep
from services.routing import model_store, service
from services.routing.access import area_of, require_staff
from services.routing.models import assignments, tickets, training_examples
from services.routing.schemas import ClassifierOut

router = APIRouter(prefix="/v1")


async def auto_dispatched(session: AsyncSession, days: int, principal: Principal) -> dict:
    """Tickets of the caller's area that arrived in the last `days` days, and those the rules
    assigned unaided."""
    auto = exists().where(assignments.c.ticket_id == tickets.c.id, assignments.c.reason == "auto")
    since = func.now() - timedelta(days=days)
    row = (await session.execute(
        select(func.count(), func.count().filter(auto))
        .where(tickets.c.created_at >= since, area_of(principal, tickets.c.region_code)))).one()
    return {"days": days, "tickets": row[0], "auto_dispatched": row[1],
            "share": row[1] / row[0] if row[0] else None}


@router.get("/classifier", response_model=ClassifierOut, tags=["classifier"])
async def classifier_state(session: SessionDep, principal: CallerDep,
                           days: int = Query(30, ge=1, le=366, description="自动派单统计的天数")):
    """The active classifier version, its held-out scores and the share of the caller's area's
    tickets auto-dispatched."""
    require_staff(principal)
    active = await model_store.active_version(session)
    usable = active is not None and await model_store.active_model(session) is not None
    return {"source": "model" if usable else "keywords", "active": active,
            "threshold": await service.threshold(session),
            "labelled_examples": await session.scalar(
                select(func.count()).select_from(training_examples)),
            "auto_dispatched": await auto_dispatched(session, days, principal),
            "versions": await model_store.versions(session)}
