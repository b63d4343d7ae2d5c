"""Staff routes: the process actions, queues, supervision lists, the archive."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from services.core.auth import Principal, Role, require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem
from services.intake import actions, archive, events, service, unit_requests  # noqa: F401  (register actions)
from services.intake.access import NOT_FOUND, readable
from services.intake.schemas import MAX_OFFSET, UNIT_CODE, TicketDetail, TicketNumber, TicketOut
from services.intake.statuses import Status
from services.intake.views import detail_view, ticket_view
from services.intake.workflow import ACTIONS, Action, Context, authorize

log = structlog.get_logger()
router = APIRouter(prefix="/v1", tags=["process"])
SUPERVISION_LISTS = ("overdue", "reopened", "returned", "unsatisfied")


async def perform(request: Request, session, definition: Action, number: str, actor: Principal,
                  body) -> dict:
    """Check and run one action on a locked ticket; answer with the ticket as it is now."""
    ticket = await service.find(session, number, lock=True)
    if ticket is None:
        raise NOT_FOUND
    try:
        authorize(definition, actor, ticket)
    except Problem as refused:
        log.warning("action.refused", action=definition.name, number=number, role=actor.role.value,
                    unit=actor.unit, status=refused.status)
        raise
    media_ids = list(getattr(body, "media_ids", []))
    await request.app.state.media.describe(media_ids, actor)
    context = Context(session, request.app.state.outbox, ticket, actor)
    await definition.run(context, body)
    if media_ids:  # the media service keeps attached evidence past its retention window
        await context.emit(events.TicketMediaAttached(number=number, media_ids=media_ids))
    return await detail_view(session, await service.find(session, number), actor)


def _endpoint(definition: Action):
    async def act(number: TicketNumber, session: SessionDep, actor: CallerDep, request: Request,
                  body: Annotated[Any, Body()] = None):
        if body is None:
            try:
                body = definition.body.model_validate({})
            except ValidationError as invalid:
                raise RequestValidationError(invalid.errors()) from None
        return await perform(request, session, definition, number, actor, body)

    act.__annotations__["body"] = Annotated[definition.body | None, Body()]
    act.__doc__ = f"{definition.label}（{'、'.join(r.value for r in definition.roles)}）"
    return act


for _definition in ACTIONS.values():
    router.add_api_route(f"/tickets/{{number}}/actions/{_definition.name}", _endpoint(_definition),
                         methods=["POST"], response_model=TicketDetail, name=_definition.name,
                         summary=_definition.label)


@router.get("/tickets/{number}/actions")
async def available_actions(number: TicketNumber, session: SessionDep, actor: CallerDep) -> list[dict]:
    """The actions the caller may take on this ticket now."""
    ticket = readable(actor, await service.find(session, number))
    matters = await unit_requests.open_matters(session, ticket["id"])
    allowed = []
    for definition in ACTIONS.values():
        if definition.awaits and definition.awaits not in matters:
            continue
        try:
            authorize(definition, actor, ticket)
        except Problem:
            continue
        allowed.append({"action": definition.name, "label": definition.label})
    return allowed


@router.get("/queue", response_model=list[TicketOut])
async def queue(session: SessionDep, actor: CallerDep,
                status: list[Status] = Query(default=[], max_length=len(Status)),
                unit: str | None = Query(None, pattern=UNIT_CODE),
                limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """Tickets within the caller's jurisdiction (a unit's queue, a county's tickets)."""
    if not actor.is_staff:
        raise Problem(403, "无权操作", "仅限工作人员")
    rows = await service.list_for_staff(session, actor, statuses=status, unit=unit,
                                        limit=limit, offset=offset)
    return [ticket_view(row, actor) for row in rows]


@router.get("/supervision/{kind}", response_model=list[TicketOut])
async def supervision(kind: str, session: SessionDep, actor: CallerDep,
                      limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """督查室: overdue, reopened, returned and unsatisfied tickets across units."""
    require(actor, Role.supervisor, Role.admin, Role.dispatcher)
    if kind not in SUPERVISION_LISTS:
        raise Problem(404, "未找到", f"清单须为：{'、'.join(SUPERVISION_LISTS)}")
    rows = await service.supervision_list(session, actor, kind, limit=limit, offset=offset)
    return [ticket_view(row, actor) for row in rows]


@router.get("/tickets/{number}/archive", tags=["archive"])
async def ticket_archive(number: TicketNumber, session: SessionDep, actor: CallerDep, request: Request,
                         format: str | None = Query(None, pattern="^(json|html)$")):
    """一人一诉一档: the whole record as JSON, or a printable HTML page."""
    ticket = readable(actor, await service.find(session, number))
    record = await archive.build(session, ticket, actor)
    wants_html = format == "html" or (format is None and "text/html" in request.headers.get("accept", ""))
    if wants_html:
        return HTMLResponse(await archive.render_html(session, record))
    return record
