"""The actions of the Yanshan process (四(二)–(七)): command center, handling units, leaders."""

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from services.core.problems import Problem
from services.intake import events
from services.intake.models import reports, tickets
from services.intake.schemas import (
    REJECT_LABELS,
    CompletionIn,
    InfoRequestIn,
    MergeIn,
    NoteIn,
    ReasonIn,
    RejectIn,
    TextIn,
    UrgencyIn,
)
from services.intake.statuses import OPEN, Status
from services.intake.workflow import CENTER, LEADER, UNIT, Context, action

S = Status
HANDLING = (S.assigned, S.in_progress)


async def add_report(ctx: Context, kind: str, text: str, media_ids=(), state: str | None = None):
    await ctx.session.execute(insert(reports).values(
        ticket_id=ctx.ticket["id"], kind=kind, unit_code=ctx.actor.unit, actor=ctx.actor.subject,
        text=text, media_ids=list(media_ids), state=state))


# --- command center: 受理, 不予受理, 待完善, urgency, merge ---------------------------------

@action("accept", "受理", roles=CENTER, states={S.submitted}, scope="county")
async def accept(ctx: Context, body: NoteIn) -> None:
    await ctx.move(S.accepted, "accept", body.note or "指挥中心已受理")
    await ctx.emit(events.TicketAccepted(number=ctx.number, region_code=ctx.ticket["region_code"]))


@action("reject", "不予受理", roles=CENTER, states={S.submitted, S.accepted}, scope="county",
        body=RejectIn)
async def reject(ctx: Context, body: RejectIn) -> None:
    reason = body.text or REJECT_LABELS[body.reason_code]
    await ctx.move(S.rejected, "reject", reason,
                   reject_reason={"code": body.reason_code.value, "text": reason})
    await ctx.emit(events.TicketRejected(number=ctx.number, reason_code=body.reason_code.value,
                                         reason=reason, contact_phone=ctx.ticket["contact_phone"]))


@action("request_info", "要求补充完善", roles=CENTER, states={S.submitted, S.accepted},
        scope="county", body=InfoRequestIn)
async def request_info(ctx: Context, body: InfoRequestIn) -> None:
    await ctx.move(S.pending_info, "request_info", body.missing, info_request=body.missing,
                   pending_info_since=datetime.now(UTC), status_before_info=ctx.ticket["status"])
    await ctx.emit(events.TicketInfoRequested(number=ctx.number, missing=body.missing,
                                              contact_phone=ctx.ticket["contact_phone"]))


@action("set_urgency", "标注紧急程度", roles=CENTER, states=OPEN, scope="county", body=UrgencyIn)
async def set_urgency(ctx: Context, body: UrgencyIn) -> None:
    label = "紧急" if body.urgency.value == "urgent" else "一般"
    await ctx.move(None, "set_urgency", f"紧急程度调整为：{label}", urgency=body.urgency.value)
    await ctx.emit(events.TicketUrgencyChanged(number=ctx.number, urgency=body.urgency.value))


@action("merge", "合并重复工单", roles=CENTER, states={S.submitted, S.accepted, S.assigned},
        scope="county", body=MergeIn)
async def merge(ctx: Context, body: MergeIn) -> None:
    master = (await ctx.session.execute(
        select(tickets.c.number, tickets.c.status, tickets.c.region_code)
        .where(tickets.c.number == body.master_number))).first()
    if master is None or master.number == ctx.number or master.region_code != ctx.ticket["region_code"]:
        raise Problem(422, "请求参数有误", "主工单不存在或不属于同一县（市）",
                      errors=[{"field": "master_number", "message": "主工单无效"}])
    if Status(master.status) not in OPEN:
        raise Problem(409, "当前状态不允许此操作", f"主工单已「{Status(master.status).label}」")
    await ctx.move(S.merged, "merge", f"与工单 {master.number} 重复，已合并办理",
                   master_number=master.number)
    await ctx.emit(events.TicketMerged(number=ctx.number, master_number=master.number))


# --- handling unit: 签收, contact, interim reply, parts, completion ----------------------

@action("sign", "签收", roles=UNIT, states={S.assigned}, scope="lead")
async def sign(ctx: Context, body: NoteIn) -> None:
    await ctx.move(S.in_progress, "sign", body.note or "承办单位已签收")
    await ctx.emit(events.TicketSigned(number=ctx.number, unit_code=ctx.unit))


@action("contact", "联系诉求人", roles=UNIT, states=HANDLING, scope="unit", body=TextIn)
async def contact(ctx: Context, body: TextIn) -> None:
    await add_report(ctx, "contact", body.text, body.media_ids)
    await ctx.move(None, "contact", body.text)


@action("reply", "阶段性答复", roles=UNIT, states={S.in_progress}, scope="lead", body=TextIn)
async def reply(ctx: Context, body: TextIn) -> None:
    await add_report(ctx, "interim", body.text, body.media_ids)
    await ctx.move(None, "reply", body.text, data={"media_ids": [str(m) for m in body.media_ids]})
    await ctx.emit(events.TicketReplied(number=ctx.number, unit_code=ctx.unit, text=body.text))


@action("submit_part", "提交配合办理情况", roles=UNIT, states={S.in_progress}, scope="unit",
        body=TextIn)
async def submit_part(ctx: Context, body: TextIn) -> None:
    if ctx.unit == ctx.ticket["lead_unit"]:
        raise Problem(409, "当前状态不允许此操作", "牵头单位请直接提交办结报告")
    await add_report(ctx, "part", body.text, body.media_ids)
    await ctx.move(None, "submit_part", body.text)


@action("submit_completion", "提交办结报告", roles=UNIT, states={S.in_progress}, scope="lead",
        body=CompletionIn)
async def submit_completion(ctx: Context, body: CompletionIn) -> None:
    await add_report(ctx, "completion", body.result, body.media_ids, state="leader_review")
    await ctx.move(S.leader_review, "submit_completion", body.result,
                   data={"media_ids": [str(m) for m in body.media_ids]}, rework=False)
    await ctx.emit(events.TicketCompletionSubmitted(number=ctx.number, unit_code=ctx.unit))


# --- unit leader: 审核 -----------------------------------------------------------------

@action("approve_completion", "单位审核通过", roles=LEADER, states={S.leader_review}, scope="lead")
async def approve_completion(ctx: Context, body: NoteIn) -> None:
    await _set_completion_state(ctx, "center_audit")
    await ctx.move(S.center_audit, "approve_completion", body.note or "单位负责人审核通过，报送指挥中心")


@action("return_internal", "单位审核退回", roles=LEADER, states={S.leader_review}, scope="lead",
        body=ReasonIn)
async def return_internal(ctx: Context, body: ReasonIn) -> None:
    await _set_completion_state(ctx, "sent_back")
    await ctx.move(S.in_progress, "return_internal", body.reason, rework=True)
    await ctx.emit(events.TicketCompletionSentBack(number=ctx.number, unit_code=ctx.unit,
                                                   reason=body.reason, by="leader"))


async def _set_completion_state(ctx: Context, state: str) -> None:
    latest = select(reports.c.id).where(reports.c.ticket_id == ctx.ticket["id"],
                                        reports.c.kind == "completion").order_by(reports.c.id.desc())
    await ctx.session.execute(update(reports).where(reports.c.id == latest.limit(1).scalar_subquery())
                              .values(state=state))


# --- command center: audit -------------------------------------------------------------

@action("accept_completion", "审核办结", roles=CENTER, states={S.center_audit}, scope="county")
async def accept_completion(ctx: Context, body: NoteIn) -> None:
    report = (await ctx.session.execute(
        select(reports.c.text, reports.c.media_ids, reports.c.unit_code)
        .where(reports.c.ticket_id == ctx.ticket["id"], reports.c.kind == "completion")
        .order_by(reports.c.id.desc()).limit(1))).one()
    await _set_completion_state(ctx, "accepted")
    await ctx.move(S.resolved, "accept_completion", body.note or "指挥中心审核通过，请诉求人评价",
                   resolved_at=datetime.now(UTC))
    await ctx.emit(events.TicketResolved(number=ctx.number, unit_code=report.unit_code,
                                         result=report.text, evidence_media_ids=list(report.media_ids)))


@action("send_back", "退回重办", roles=CENTER, states={S.center_audit}, scope="county", body=ReasonIn)
async def send_back(ctx: Context, body: ReasonIn) -> None:
    await _set_completion_state(ctx, "sent_back")
    await ctx.move(S.in_progress, "send_back", body.reason, rework=True)
    await ctx.emit(events.TicketCompletionSentBack(number=ctx.number, unit_code=ctx.ticket["lead_unit"],
                                                   reason=body.reason, by="center"))
