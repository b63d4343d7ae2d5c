"""待办: what each role must do now, counted on the dashboard and listed by `queue=`.

A count and its list are one WHERE clause, so the number on the dashboard is the length of
the list it links to. Partial-index predicates are spelled with literals, as in models.py,
so the planner can match them whatever the statement's parameters.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.problems import Problem
from services.intake.models import requests, tickets
from services.intake.service import in_region, jurisdiction
from services.intake.statuses import OPEN, Status

T = tickets.c
NOW = func.now()
OPEN_NOW = T.status.in_(sorted(s.value for s in OPEN))
UNIT_ROLES = (Role.handler, Role.unit_leader)

# The lead unit's clocks, as sla last announced them (deadlines.py).
OVERDUE = T.due_at <= NOW
WARNING = and_(T.due_at > NOW, or_(T.warned, T.warn_at <= NOW))
NORMAL = and_(T.due_at > NOW, ~T.warned, or_(T.warn_at.is_(None), T.warn_at > NOW))
SLA_STATES = {"overdue": OVERDUE, "warning": WARNING, "normal": NORMAL}


@dataclass(frozen=True)
class Queue:
    """One dashboard count: its key (the `queue=` value), its label, the tickets it counts."""

    key: str
    label: str
    where: Callable[[Principal], ColumnElement]


def _led_by_caller(principal: Principal) -> ColumnElement:
    """A unit's own to-dos are those it leads; others see every lead unit in their jurisdiction."""
    return T.lead_unit == principal.unit if principal.role in UNIT_ROLES else true()


def _status(status: Status, *, led: bool = False) -> Callable[[Principal], ColumnElement]:
    return lambda p: and_(T.status == status.value, _led_by_caller(p) if led else true())


def _requested(kind: str) -> Callable[[Principal], ColumnElement]:
    pending = select(requests.c.ticket_id).where(requests.c.state == "pending", requests.c.kind == kind)
    return lambda p: T.id.in_(pending)


def _submitted(principal: Principal) -> ColumnElement:
    # A hotline agent's 待受理 is its own county's, though it may read every county.
    local = principal.role is Role.agent and principal.region
    return and_(T.status == Status.submitted.value, in_region(principal.region) if local else true())


def _recorded_today(principal: Principal) -> ColumnElement:
    beijing_midnight = func.timezone("Asia/Shanghai", func.date_trunc("day", func.timezone("Asia/Shanghai", NOW)))
    return and_(T.submitted_by == principal.subject, T.created_at >= beijing_midnight)


UNSATISFIED = T.evaluation.op("->>")(literal_column("'satisfaction'")) == literal_column("'unsatisfied'")

QUEUES: dict[str, Queue] = {queue.key: queue for queue in (
    Queue("submitted", "待受理", _submitted),
    Queue("awaiting_dispatch", "待派单", lambda p: and_(
        T.dispatch_unit.isnot(None), T.status.in_([Status.submitted.value, Status.accepted.value]))),
    Queue("return_requests", "退件申请", _requested("return")),
    Queue("extension_requests", "延期申请", _requested("extension")),
    Queue("center_audit", "待审核", _status(Status.center_audit)),
    Queue("to_sign", "待签收", _status(Status.assigned, led=True)),
    Queue("in_progress", "办理中", _status(Status.in_progress)),
    Queue("warning", "即将超期", lambda p: and_(WARNING, OPEN_NOW, _led_by_caller(p))),
    Queue("overdue", "已超期", lambda p: and_(OVERDUE, OPEN_NOW, _led_by_caller(p))),
    Queue("leader_review", "待领导审核", _status(Status.leader_review, led=True)),
    Queue("rework", "退回重办", lambda p: and_(T.rework, T.status == Status.in_progress.value,
                                           _led_by_caller(p))),
    Queue("supervised", "督办中", lambda p: and_(T.supervised, OPEN_NOW)),
    Queue("reopened", "重办中", lambda p: and_(T.reopen_count > literal_column("0"), OPEN_NOW)),
    Queue("unsatisfied", "不满意", lambda p: and_(UNSATISFIED, OPEN_NOW)),
    Queue("recorded_today", "今日登记", _recorded_today),
)}

CENTER = ("submitted", "awaiting_dispatch", "return_requests", "extension_requests", "center_audit")
UNIT = ("to_sign", "in_progress", "warning", "overdue", "leader_review", "rework")
DASHBOARDS: dict[Role, tuple[str, ...]] = {
    Role.dispatcher: CENTER,
    Role.admin: CENTER,
    Role.handler: UNIT,
    Role.unit_leader: UNIT,
    Role.supervisor: ("overdue", "warning", "supervised", "reopened", "unsatisfied"),
    Role.agent: ("submitted", "recorded_today"),
}


def where(key: str, principal: Principal) -> ColumnElement:
    """The tickets of one queue as this caller sees it (within its jurisdiction)."""
    return and_(jurisdiction(principal), QUEUES[key].where(principal))


def counts(principal: Principal, keys: tuple[str, ...]) -> Select:
    """One indexed count per queue, in one statement."""
    return select(*(select(func.count()).select_from(tickets).where(where(key, principal))
                    .scalar_subquery() for key in keys))


async def dashboard(session: AsyncSession, principal: Principal) -> dict:
    """The caller's counts in display order."""
    keys = DASHBOARDS.get(principal.role)
    if keys is None:
        raise Problem(403, "无权操作", "仅限工作人员")
    row = (await session.execute(counts(principal, keys))).one()
    return {"role": principal.role.value,
            "counts": [{"key": key, "label": QUEUES[key].label, "count": count}
                       for key, count in zip(keys, row, strict=True)]}

