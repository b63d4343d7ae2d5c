"""The handling process as a table: who may do which action, in which states, on which tickets."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.events import Event
from services.core.outbox import Outbox
from services.core.problems import Problem
from services.intake.access import NOT_FOUND, can_read, in_county
from services.intake.models import tickets
from services.intake.schemas import NoteIn
from services.intake.service import ensure_status
from services.intake.statuses import Status
from services.intake.timeline import record

CENTER = frozenset({Role.dispatcher, Role.admin})
UNIT = frozenset({Role.handler, Role.unit_leader})
LEADER = frozenset({Role.unit_leader})


@dataclass
class Context:
    """What an action works with: one transaction, one ticket (locked), one actor."""

    session: AsyncSession
    outbox: Outbox
    ticket: dict
    actor: Principal
    now: object = None

    async def move(self, status: Status | None, action: str, text: str | None = None,
                   data: dict | None = None, **values) -> None:
        """Change the ticket (status and columns) and record the step on the timeline."""
        new_status = status or Status(self.ticket["status"])
        await self.session.execute(
            update(tickets).where(tickets.c.id == self.ticket["id"])
            .values(status=new_status.value, updated_at=func.now(), **values))
        await record(self.session, self.ticket["id"], action=action, status=new_status,
                     actor=self.actor, text=text, data=data)

    async def emit(self, event: Event) -> None:
        await self.outbox.stage(self.session, event, ticket_id=self.ticket["id"])

    @property
    def number(self) -> str:
        return self.ticket["number"]

    @property
    def unit(self) -> str:
        return self.actor.unit or ""


Run = Callable[[Context, BaseModel], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    """One row of the process table."""

    name: str
    label: str
    roles: frozenset[Role]
    states: frozenset[Status]
    scope: str  # county | unit | lead
    body: type[BaseModel]
    run: Run = field(compare=False)
    # A decision on something a unit asked or was asked (return, extension, supervision):
    # offered only while that matter is open.
    awaits: str | None = None


ACTIONS: dict[str, Action] = {}


def action(name: str, label: str, *, roles, states, scope: str, body: type[BaseModel] = NoteIn,
           awaits: str | None = None):
    """Register a function as the action `name` (see actions.py for the whole table)."""
    def register(run: Run) -> Run:
        ACTIONS[name] = Action(name, label, frozenset(roles), frozenset(states), scope, body, run,
                               awaits)
        return run
    return register


def in_scope(actor: Principal, ticket: dict, scope: str) -> bool:
    """Whether the actor's jurisdiction covers this ticket for an action of `scope`."""
    if actor.role is Role.admin:
        return True
    if scope == "county":
        return in_county(actor, ticket)
    if scope == "lead":
        return actor.unit is not None and actor.unit == ticket["lead_unit"]
    return actor.unit is not None and actor.unit in (ticket["units"] or ())


def authorize(definition: Action, actor: Principal, ticket: dict) -> None:
    """404 if the actor may not see the ticket, 403 if it may see but not act, 409 on state."""
    if not can_read(actor, ticket):
        raise NOT_FOUND
    if actor.role not in definition.roles or not in_scope(actor, ticket, definition.scope):
        raise Problem(403, "无权操作", f"「{definition.label}」不属于您的职责范围")
    ensure_status(ticket, *definition.states)
