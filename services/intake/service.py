"""The rules of a ticket's life on the citizen side: submit, follow, supplement, evaluate."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.outbox import Outbox
from services.core.problems import Problem
from services.intake import events
from services.intake.models import tickets
from services.intake.schemas import EvaluationIn, Satisfaction, SupplementIn
from services.intake.statuses import Status
from services.intake.timeline import record


async def find(session: AsyncSession, number: str, *, lock: bool = False) -> dict | None:
    """A ticket by its number."""
    query = select(tickets).where(tickets.c.number == number)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def list_for_owner(session: AsyncSession, phone: str, *, limit: int, offset: int) -> list[dict]:
    """我的诉求: a citizen's tickets, newest first."""
    query = (
        select(tickets)
        .where(tickets.c.owner_phone == phone)
        .order_by(tickets.c.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).mappings())


def ensure_status(ticket: dict, *allowed: Status) -> None:
    """409 naming the current state unless the ticket is in one of `allowed`."""
    current = Status(ticket["status"])
    if current not in allowed:
        raise Problem(409, "当前状态不允许此操作",
                      f"工单当前状态为「{current.label}」（{current.value}）", type_="/problems/state")


async def set_status(session: AsyncSession, ticket_id: uuid.UUID, status: Status, **values) -> None:
    await session.execute(
        update(tickets).where(tickets.c.id == ticket_id)
        .values(status=status.value, updated_at=func.now(), **values)
    )


async def request_info(session: AsyncSession, outbox: Outbox, ticket: dict, actor: Principal,
                       missing: str) -> None:
    """待完善: ask the citizen for what is missing; the clock of 10 days starts."""
    ensure_status(ticket, Status.submitted, Status.accepted)
    await set_status(session, ticket["id"], Status.pending_info, info_request=missing,
                     pending_info_since=func.now(), status_before_info=ticket["status"])
    await record(session, ticket["id"], action="request_info", status=Status.pending_info,
                 actor=actor, text=missing)
    await outbox.stage(session, events.TicketInfoRequested(
        number=ticket["number"], contact_phone=ticket["contact_phone"], missing=missing),
        ticket_id=ticket["id"])


async def supplement(session: AsyncSession, outbox: Outbox, ticket: dict, actor: Principal,
                     body: SupplementIn) -> Status:
    """The citizen completes a 待完善 ticket; it returns to where it was."""
    ensure_status(ticket, Status.pending_info)
    back_to = Status(ticket["status_before_info"] or Status.submitted)
    content = f"{ticket['content']}\n【补充】{body.content}"
    await set_status(session, ticket["id"], back_to, content=content, info_request=None,
                     pending_info_since=None, status_before_info=None,
                     media_ids=list(ticket["media_ids"]) + body.media_ids)
    await record(session, ticket["id"], action="supplement", status=back_to, actor=actor,
                 text=body.content)
    await outbox.stage(session, events.TicketSupplemented(
        number=ticket["number"], content=body.content, media_ids=body.media_ids,
        status=back_to.value), ticket_id=ticket["id"])
    return back_to


async def expire_stale(session: AsyncSession, outbox: Outbox, *, now: datetime, days: int,
                       batch: int = 100) -> int:
    """已失效: tickets left 待完善 for `days` days; safe with several replicas."""
    stale = (
        await session.execute(
            select(tickets.c.id, tickets.c.number, tickets.c.contact_phone, tickets.c.status_before_info)
            .where(tickets.c.status == Status.pending_info.value,
                   tickets.c.pending_info_since < now - timedelta(days=days))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in stale:
        await set_status(session, row.id, Status.expired)
        await record(session, row.id, action="expire", status=Status.expired, actor=None,
                     text=f"{days}日内未补充完善，诉求已失效")
        if row.status_before_info is None:
            continue  # an SMS never completed: no other service ever heard of it (sms_tickets.py)
        await outbox.stage(session, events.TicketExpired(
            number=row.number, contact_phone=row.contact_phone), ticket_id=row.id)
    return len(stale)


async def evaluate(session: AsyncSession, outbox: Outbox, ticket: dict, actor: Principal,
                   body: EvaluationIn) -> Status:
    """The citizen rates the result; 不满意 or unresolved sends it back to the same unit."""
    ensure_status(ticket, Status.resolved)
    evaluation = {**body.model_dump(mode="json"), "auto": False, "at": datetime.now(UTC).isoformat()}
    reopen = body.satisfaction is Satisfaction.unsatisfied or not body.resolved
    history = list((ticket["evaluation"] or {}).get("history", [])) + [evaluation]
    await record(session, ticket["id"], action="evaluate", status=Status.resolved, actor=actor,
                 text=body.comment, data=evaluation)
    await outbox.stage(session, events.TicketEvaluated(
        number=ticket["number"], resolved=body.resolved, satisfaction=body.satisfaction.value,
        comment=body.comment), ticket_id=ticket["id"])
    if reopen:
        await _reopen(session, outbox, ticket, actor, body.comment, {**evaluation, "history": history})
        return Status.in_progress
    await set_status(session, ticket["id"], Status.closed, evaluation={**evaluation, "history": history})
    await record(session, ticket["id"], action="close", status=Status.closed, actor=None, text="办结归档")
    await outbox.stage(session, events.TicketClosed(number=ticket["number"]), ticket_id=ticket["id"])
    return Status.closed


async def _reopen(session: AsyncSession, outbox: Outbox, ticket: dict, actor: Principal,
                  comment: str | None, evaluation: dict) -> None:
    times = ticket["reopen_count"] + 1
    reason = comment or "诉求人对办理结果不满意"
    # A second dissatisfaction goes onto the supervisors' list (督办).
    await set_status(session, ticket["id"], Status.in_progress, evaluation=evaluation, rework=True,
                     reopen_count=times, resolved_at=None, supervised=ticket["supervised"] or times >= 2)
    await record(session, ticket["id"], action="reopen", status=Status.in_progress, actor=actor,
                 text=f"退回 {ticket['lead_unit'] or '原承办单位'} 重新办理：{reason}")
    await outbox.stage(session, events.TicketReopened(
        number=ticket["number"], reason=reason, times=times, unit_codes=list(ticket["units"] or [])),
        ticket_id=ticket["id"])

def jurisdiction(principal: Principal):
    """The WHERE clause of a staff member's jurisdiction."""
    if principal.role is Role.admin or principal.role is Role.agent:
        return tickets.c.id.isnot(None)
    if principal.role in (Role.dispatcher, Role.supervisor):
        return in_region(principal.region or "-")
    return tickets.c.units.contains([principal.unit or "-"])


def in_region(region: str):
    """Tickets of a county (532622); a prefecture's code (532600) covers all its counties."""
    if region.endswith("00"):
        return tickets.c.region_code.startswith(region[:4])
    return tickets.c.region_code == region


async def list_for_staff(session: AsyncSession, principal: Principal, *, statuses, unit: str | None,
                         limit: int, offset: int) -> list[dict]:
    """A staff member's queue: tickets in its jurisdiction, oldest waiting first."""
    query = select(tickets).where(jurisdiction(principal))
    if statuses:
        query = query.where(tickets.c.status.in_([s.value for s in statuses]))
    if unit:
        query = query.where(tickets.c.units.contains([unit]))
    query = query.order_by(tickets.c.updated_at).limit(limit).offset(offset)
    return list((await session.execute(query)).mappings())


SUPERVISION = {
    "overdue": tickets.c.overdue.is_(True),
    "reopened": tickets.c.reopen_count > 0,
    "returned": tickets.c.returned_count > 0,
    "unsatisfied": tickets.c.evaluation["satisfaction"].astext == "unsatisfied",
}


async def supervision_list(session: AsyncSession, principal: Principal, kind: str, *, limit: int,
                           offset: int) -> list[dict]:
    """督查室 lists across units, most recently changed first."""
    query = (select(tickets).where(jurisdiction(principal), SUPERVISION[kind])
             .order_by(tickets.c.updated_at.desc()).limit(limit).offset(offset))
    return list((await session.execute(query)).mappings())


async def close_unevaluated(session: AsyncSession, outbox: Outbox, *, now: datetime, days: int = 7,
                            batch: int = 100) -> int:
    """Resolved tickets not evaluated within `days` close as 满意, as the mini-program promises."""
    due = (await session.execute(
        select(tickets.c.id, tickets.c.number, tickets.c.evaluation)
        .where(tickets.c.status == Status.resolved.value,
               tickets.c.resolved_at < now - timedelta(days=days))
        .limit(batch).with_for_update(skip_locked=True))).all()
    for row in due:
        evaluation = {"resolved": True, "satisfaction": "satisfied", "comment": None, "auto": True,
                      "at": now.isoformat()}
        history = list((row.evaluation or {}).get("history", [])) + [evaluation]
        await set_status(session, row.id, Status.closed, evaluation={**evaluation, "history": history})
        await record(session, row.id, action="auto_close", status=Status.closed, actor=None,
                     text=f"{days}日内未评价，默认满意并归档")
        await outbox.stage(session, events.TicketEvaluated(
            number=row.number, resolved=True, satisfaction="satisfied", comment=None, auto=True),
            ticket_id=row.id)
        await outbox.stage(session, events.TicketClosed(number=row.number, auto=True), ticket_id=row.id)
    return len(due)
