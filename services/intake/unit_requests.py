"""Requests a unit puts to the command center (退件, 延期) and supervision (督办)."""

from datetime import UTC, datetime

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.problems import Problem
from services.core.workdays import Calendar
from services.intake import calendar, deadlines, events, names
from services.intake.models import reports, requests, tickets
from services.intake.schemas import ExtensionIn, NoteIn, ReasonIn, TextIn
from services.intake.service import jurisdiction
from services.intake.statuses import OPEN, Status
from services.intake.workflow import CENTER, UNIT, Context, action

S = Status
RETURN_WINDOW_WORKING_DAYS = 1


async def _open_request(ctx: Context, kind: str) -> dict | None:
    return (await ctx.session.execute(
        select(requests).where(requests.c.ticket_id == ctx.ticket["id"], requests.c.kind == kind,
                               requests.c.state == "pending")
        .order_by(requests.c.id.desc()).limit(1).with_for_update())).mappings().first()


async def _file(ctx: Context, kind: str, reason: str, media_ids=(), deadline=None) -> None:
    if await _open_request(ctx, kind):
        raise Problem(409, "当前状态不允许此操作", "已有待审核的同类申请")
    await ctx.session.execute(insert(requests).values(
        ticket_id=ctx.ticket["id"], kind=kind, unit_code=ctx.unit, reason=reason,
        media_ids=list(media_ids), requested_deadline=deadline))


async def _decide(ctx: Context, kind: str, state: str, decision: str | None) -> dict:
    pending = await _open_request(ctx, kind)
    if pending is None:
        raise Problem(409, "当前状态不允许此操作", "没有待审核的申请")
    await ctx.session.execute(update(requests).where(requests.c.id == pending["id"]).values(
        state=state, decided_by=ctx.actor.subject, decision=decision, decided_at=func.now()))
    return pending


async def listed(session: AsyncSession, principal: Principal, *, kind: str | None, state: str,
                 limit: int) -> list[dict]:
    """Requests about tickets in the caller's jurisdiction, with their tickets, oldest first."""
    query = (
        select(requests.c.id, requests.c.kind, requests.c.state, requests.c.unit_code,
               requests.c.reason, requests.c.media_ids, requests.c.requested_deadline, requests.c.at,
               tickets.c.number, tickets.c.title, tickets.c.status.label("ticket_status"),
               tickets.c.region_code)
        .join_from(requests, tickets, requests.c.ticket_id == tickets.c.id)
        .where(jurisdiction(principal), requests.c.state == state)
        .order_by(requests.c.at, requests.c.id).limit(limit))
    if kind:
        query = query.where(requests.c.kind == kind)
    return list((await session.execute(query)).mappings())


async def open_matters(session: AsyncSession, ticket_id) -> set[str]:
    """What of a ticket awaits a decision: a pending return or extension, an open supervision."""
    kinds = select(requests.c.kind).where(requests.c.ticket_id == ticket_id,
                                          requests.c.state == "pending")
    supervision = select(literal("supervision")).where(
        reports.c.ticket_id == ticket_id, reports.c.kind == "supervision", reports.c.state == "open")
    return set((await session.scalars(kinds.union(supervision))).all())


def within_return_window(assigned_at: datetime | None, now: datetime, calendar: Calendar) -> bool:
    """退件 must come within 1 working day of the assignment (Yanshan plan 四(三))."""
    if assigned_at is None:
        return False
    return now <= calendar.deadline(assigned_at, working_days=RETURN_WINDOW_WORKING_DAYS).at


@action("request_return", "申请退件", roles=UNIT, states={S.assigned, S.in_progress}, scope="lead",
        body=ReasonIn)
async def request_return(ctx: Context, body: ReasonIn) -> None:
    if not within_return_window(ctx.ticket["assigned_at"], ctx.now or datetime.now(UTC),
                                await calendar.load(ctx.session)):
        raise Problem(409, "超过退件时限", "退件须在派单后 1 个工作日内提出", type_="/problems/state")
    await _file(ctx, "return", body.reason, body.media_ids)
    await ctx.move(None, "request_return", body.reason)
    await ctx.emit(events.TicketReturnRequested(number=ctx.number, unit_code=ctx.unit,
                                                reason=body.reason, evidence_media_ids=body.media_ids))


@action("approve_return", "同意退件", roles=CENTER, states={S.assigned, S.in_progress},
        scope="county", awaits="return")
async def approve_return(ctx: Context, body: NoteIn) -> None:
    request = await _decide(ctx, "return", "approved", body.note)
    unit = await names.unit_name(ctx.session, request["unit_code"])
    await ctx.move(S.accepted, "approve_return", body.note or f"同意{unit}退件，重新派单",
                   lead_unit=None, units=[], unit_roles={}, assigned_at=None, rework=False,
                   returned_count=ctx.ticket["returned_count"] + 1)
    await deadlines.project(ctx.session, ctx.ticket["id"])
    await ctx.emit(events.TicketReturned(number=ctx.number, unit_code=request["unit_code"],
                                         reason=request["reason"]))


@action("deny_return", "不同意退件", roles=CENTER, states={S.assigned, S.in_progress}, scope="county",
        body=ReasonIn, awaits="return")
async def deny_return(ctx: Context, body: ReasonIn) -> None:
    request = await _decide(ctx, "return", "denied", body.reason)
    await ctx.move(None, "deny_return", body.reason)
    await ctx.emit(events.TicketReturnDenied(number=ctx.number, unit_code=request["unit_code"],
                                             reason=body.reason))


@action("request_extension", "申请延期", roles=UNIT, states={S.in_progress}, scope="lead",
        body=ExtensionIn)
async def request_extension(ctx: Context, body: ExtensionIn) -> None:
    if body.deadline <= (ctx.now or datetime.now(UTC)):
        raise Problem(422, "请求参数有误", "新的办结时限须晚于现在",
                      errors=[{"field": "deadline", "message": "须晚于现在"}])
    await _file(ctx, "extension", body.reason, deadline=body.deadline)
    await ctx.move(None, "request_extension", f"{body.reason}（申请延至 {body.deadline.isoformat()}）")
    await ctx.emit(events.TicketExtensionRequested(number=ctx.number, unit_code=ctx.unit,
                                                   requested_deadline=body.deadline, reason=body.reason))


@action("approve_extension", "同意延期", roles=CENTER, states={S.in_progress}, scope="county",
        awaits="extension")
async def approve_extension(ctx: Context, body: NoteIn) -> None:
    request = await _decide(ctx, "extension", "approved", body.note)
    deadline = request["requested_deadline"]
    await ctx.move(None, "approve_extension", body.note or f"同意延期至 {deadline.isoformat()}")
    await ctx.emit(events.TicketExtended(number=ctx.number, unit_code=request["unit_code"],
                                         new_deadline=deadline))


@action("deny_extension", "不同意延期", roles=CENTER, states={S.in_progress}, scope="county",
        body=ReasonIn, awaits="extension")
async def deny_extension(ctx: Context, body: ReasonIn) -> None:
    await _decide(ctx, "extension", "denied", body.reason)
    await ctx.move(None, "deny_extension", body.reason)


@action("supervise", "督办", roles={Role.supervisor, Role.admin}, states=OPEN, scope="county",
        body=TextIn)
async def supervise(ctx: Context, body: TextIn) -> None:
    await ctx.session.execute(insert(reports).values(
        ticket_id=ctx.ticket["id"], kind="supervision", unit_code=ctx.ticket["lead_unit"],
        actor=ctx.actor.subject, text=body.text, media_ids=[], state="open"))
    await ctx.move(None, "supervise", body.text, supervised=True)


@action("answer_supervision", "答复督办", roles=UNIT, states=OPEN, scope="unit", body=TextIn,
        awaits="supervision")
async def answer_supervision(ctx: Context, body: TextIn) -> None:
    answered = await ctx.session.execute(
        update(reports).where(reports.c.ticket_id == ctx.ticket["id"], reports.c.kind == "supervision",
                              reports.c.state == "open").values(state="answered")
        .returning(reports.c.id))
    if not answered.first():
        raise Problem(409, "当前状态不允许此操作", "没有待答复的督办")
    await ctx.session.execute(insert(reports).values(
        ticket_id=ctx.ticket["id"], kind="supervision_answer", unit_code=ctx.unit,
        actor=ctx.actor.subject, text=body.text, media_ids=list(body.media_ids)))
    await ctx.move(None, "answer_supervision", body.text)
