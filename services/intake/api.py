"""Intake's HTTP routes: thin, the rules live in service.py and accounts.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from services.core.auth import Principal, Role, issue_token, require
from services.core.deps import CallerDep, SessionDep, SettingsDep
from services.core.problems import Problem, problem_response
from services.intake import accounts, idempotency, limits, service, submission
from services.intake.access import caller, readable
from services.intake.media import require_text_for_visuals
from services.intake.schemas import (
    MAX_OFFSET,
    CitizenTokenIn,
    EvaluationIn,
    Progress,
    SmsCodeIn,
    StaffTokenIn,
    SupplementIn,
    TicketCreatedOut,
    TicketDetail,
    TicketIn,
    TicketNumber,
    TicketOut,
    TokenOut,
)
from services.intake.views import created_view, detail_view, progress_view, ticket_view

router = APIRouter(prefix="/v1")
SubmitterDep = Annotated[Principal, Depends(caller)]
SUBMITTERS = (Role.citizen, Role.channel, Role.agent, Role.admin)


@router.post("/auth/sms-code", status_code=202, tags=["auth"])
async def sms_code(body: SmsCodeIn, session: SessionDep, settings: SettingsDep, request: Request):
    """Send a login code to a citizen's phone."""
    await limits.limiter(request).hit(limits.CODES_PER_IP, limits.client_ip(request))
    await accounts.request_code(session, request.app.state.outbox, body.phone,
                                ttl=settings.sms_code_ttl_seconds)
    return {"sent": True, "expires_in": settings.sms_code_ttl_seconds}


@router.post("/auth/citizen-token", response_model=TokenOut, tags=["auth"])
async def citizen_token(body: CitizenTokenIn, session: SessionDep, settings: SettingsDep,
                        request: Request):
    """Exchange a phone and its SMS code for a citizen token."""
    ip = limits.client_ip(request)
    await limits.limiter(request).check(limits.CODE_FAILURES_PER_IP, ip)
    citizen = await accounts.check_code(session, body.phone, body.code, body.openid)
    if isinstance(citizen, Problem):
        await limits.limiter(request).hit(limits.CODE_FAILURES_PER_IP, ip)
        return problem_response(citizen)
    principal = Principal(str(citizen), Role.citizen, phone=body.phone)
    return _token(principal, settings)


@router.post("/auth/staff-token", response_model=TokenOut, tags=["auth"])
async def staff_token(body: StaffTokenIn, session: SessionDep, settings: SettingsDep,
                      request: Request):
    """Exchange a staff username and password for a token; repeated failures wait a while."""
    counted = ((limits.LOGIN_FAILURES_PER_USER, body.username),
               (limits.LOGIN_FAILURES_PER_IP, limits.client_ip(request)))
    for limit, subject in counted:
        await limits.limiter(request).check(limit, subject)
    try:
        principal = await accounts.staff_login(session, body.username, body.password)
    except Problem:
        for limit, subject in counted:
            await limits.limiter(request).hit(limit, subject)
        raise
    return _token(principal, settings)


def _token(principal: Principal, settings) -> dict:
    token = issue_token(principal, settings.jwt_secret, settings.jwt_ttl_seconds)
    return {"access_token": token, "expires_in": settings.jwt_ttl_seconds}


@router.post("/tickets", status_code=201, response_model=TicketCreatedOut, tags=["tickets"])
async def submit(body: TicketIn, session: SessionDep, submitter: SubmitterDep, request: Request,
                 idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
    """Submit a report from any channel; `Idempotency-Key` makes retries safe."""
    require(submitter, *SUBMITTERS)
    await limits.count_report(request, submitter)
    if idempotency_key:
        request_hash = idempotency.body_hash(body.model_dump(mode="json"))
        earlier = await idempotency.claim(session, submitter.subject, idempotency_key, request_hash)
        if earlier is not None:
            return JSONResponse(earlier["body"], status_code=earlier["status"])
    attachments = await request.app.state.media.describe(body.media_ids, submitter)
    require_text_for_visuals(attachments, body.content)
    row = await submission.create_ticket(session, request.app.state.outbox, body, submitter,
                                         prefix=request.app.state.settings.ticket_prefix,
                                         numbers=request.app.state.numbers)
    answer = created_view(row)
    if idempotency_key:
        await idempotency.remember(session, submitter.subject, idempotency_key, 201, answer)
    return JSONResponse(answer, status_code=201)


@router.get("/tickets", response_model=list[TicketOut], tags=["tickets"])
async def list_tickets(session: SessionDep, principal: CallerDep,
                       mine: bool = True, limit: int = Query(20, ge=1, le=100),
                       offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """我的诉求: the caller's own tickets, newest first."""
    if principal.role is not Role.citizen or not mine:
        raise Problem(403, "无权操作", "工作人员请使用工单队列接口")
    rows = await service.list_for_owner(session, principal.phone, limit=limit, offset=offset)
    return [ticket_view(row, principal) for row in rows]


@router.get("/tickets/{number}", response_model=TicketDetail, tags=["tickets"])
async def get_ticket(number: TicketNumber, session: SessionDep, principal: SubmitterDep):
    """A ticket with its 流程跟踪 timeline."""
    ticket = readable(principal, await service.find(session, number))
    return await detail_view(session, ticket, principal)


@router.get("/tickets/{number}/progress", response_model=Progress, tags=["tickets"])
async def progress(number: TicketNumber, session: SessionDep,
                   phone_last4: str = Query(pattern=r"^\d{4}$")):
    """Public progress query: the number and the last four digits of the contact phone."""
    ticket = await service.find(session, number)
    if ticket is None or not ticket["contact_phone"].endswith(phone_last4):
        raise Problem(404, "未找到", "工单号或手机号后四位不正确")
    return await progress_view(session, ticket)


@router.post("/tickets/{number}/supplement", response_model=TicketDetail, tags=["tickets"])
async def supplement(number: TicketNumber, body: SupplementIn, session: SessionDep, principal: CallerDep,
                     request: Request):
    """补充完善: the citizen completes a ticket marked 待完善."""
    require(principal, Role.citizen)
    await request.app.state.media.describe(body.media_ids, principal)
    ticket = readable(principal, await service.find(session, number, lock=True))
    await service.supplement(session, request.app.state.outbox, ticket, principal, body)
    return await detail_view(session, await service.find(session, number), principal)


@router.post("/tickets/{number}/evaluation", response_model=TicketDetail, tags=["tickets"])
async def evaluation(number: TicketNumber, body: EvaluationIn, session: SessionDep, principal: CallerDep,
                     request: Request):
    """办理结果评价: resolved or not, and how satisfied."""
    require(principal, Role.citizen)
    ticket = readable(principal, await service.find(session, number, lock=True))
    await service.evaluate(session, request.app.state.outbox, ticket, principal, body)
    return await detail_view(session, await service.find(session, number), principal)
