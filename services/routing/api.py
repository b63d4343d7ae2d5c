"""Routing's HTTP routes for dispatchers, agents and units: thin, the rules live in service.py."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.core.auth import require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import field_error
from services.routing import assignments, knowledge_store, service, ticket_store
from services.routing.access import CLASSIFIERS, DISPATCHERS, TICKET_READERS, queue_of, ticket_for
from services.routing.directory_store import get_unit
from services.routing.knowledge_api import summary
from services.routing.schemas import (
    TICKET,
    UNIT_CODE,
    AssignmentOut,
    ClassifyIn,
    ClassifyOut,
    DispatchIn,
    DuplicatesOut,
)
from services.routing.views import classify_view, duplicates_view

router = APIRouter(prefix="/v1")
State = Literal["active", "returned", "transferred", "closed", "all"]
TicketRef = Annotated[str, Path(pattern=TICKET, description="工单编号或 id")]


@router.post("/tickets/{ticket}/dispatch", response_model=list[AssignmentOut], tags=["dispatch"])
async def dispatch(ticket: TicketRef, body: DispatchIn, session: SessionDep, principal: CallerDep):
    """派单 / 改派: a ticket's lead and co units (by id or number); returns who holds it now."""
    found = ticket_for(principal, await ticket_store.find(session, ticket, lock=True), *DISPATCHERS)
    await service.dispatch(session, found, body, principal)
    return [a for a in await assignments.of_ticket(session, found["id"]) if a["state"] == "active"]


@router.get("/tickets/{ticket}/assignments", response_model=list[AssignmentOut],
            tags=["dispatch"])
async def ticket_assignments(ticket: TicketRef, session: SessionDep, principal: CallerDep):
    """Every unit that has held a ticket, and how it let go: its routing history."""
    found = ticket_for(principal, await ticket_store.find(session, ticket), *TICKET_READERS)
    return await assignments.of_ticket(session, found["id"])


@router.get("/tickets/{ticket}/duplicates", response_model=DuplicatesOut, tags=["dispatch"])
async def ticket_duplicates(ticket: TicketRef, session: SessionDep, principal: CallerDep):
    """Possible duplicates of a ticket, and whether it is a repeat or group complaint (会商)."""
    found = ticket_for(principal, await ticket_store.find(session, ticket), *TICKET_READERS)
    return await duplicates_view(session, found)


@router.get("/assignments", response_model=list[AssignmentOut], tags=["queues"])
async def unit_queue(session: SessionDep, principal: CallerDep,
                     unit: str | None = Query(None, pattern=UNIT_CODE, description="默认：本单位"),
                     state: State = "active",
                     limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)):
    """A unit's queue: handlers and leaders see their own unit, dispatchers their county's."""
    code = unit or principal.unit
    if code is None:
        raise field_error("unit", "必填项")
    queue_of(principal, await get_unit(session, code))
    return await assignments.queue(session, code, state=None if state == "all" else state,
                                   limit=limit, offset=offset)


@router.post("/classify", response_model=ClassifyOut, tags=["dispatch"])
async def classify(body: ClassifyIn, session: SessionDep, principal: CallerDep):
    """Category suggestions for a text, with the unit each would go to (agents on the phone)."""
    require(principal, *CLASSIFIERS)
    pairs = await service.suggest(session, body.text, body.region_code, body.town_code,
                                  top=body.top)
    hints, _ = await knowledge_store.search(session, q=body.text, region=body.region_code, limit=3,
                                            in_titles=True)
    return {**await classify_view(session, pairs),
            "knowledge": [{**hint, "summary": summary(hint["body"])} for hint in hints]}

