"""Events routing publishes (docs/events.md), and the outbox they go through."""

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from services.core.events import Event, UnitEvent
from services.core.outbox import Outbox
from services.routing.models import outbox

OUTBOX = Outbox(outbox, "routing")
"""Routing's outbox: handlers and routes stage events here; the app's relay publishes them."""

AssignmentRole = Literal["lead", "responsible", "cooperating", "dispatch"]
AssignmentReason = Literal["auto", "dispatch", "transfer", "return", "manual_queue", "unplaceable"]


class SuggestionOut(BaseModel):
    """A category the classifier suggests, and the lead unit its rule would pick."""

    category: str
    confidence: float
    lead_unit: str | None = None


class TicketAssigned(UnitEvent):
    type = "ticket.assigned"
    number: str
    unit_name: str
    role: AssignmentRole
    assignment_id: uuid.UUID
    category: str | None
    category_name: str | None = None  # what people read (环境卫生), where `category` is the code
    urgency: str
    sla_class: str
    statutory_days: int | None = None
    ticket_type: str
    region_code: str
    reason: AssignmentReason
    suggestions: list[SuggestionOut] = Field(default_factory=list)
    # The dispatcher who decided (派单, 改派), for 流程跟踪; None when the rules decided.
    assigned_by: str | None = None
    assigned_by_unit: str | None = None


class DuplicateCandidate(BaseModel):
    number: str
    reason: Literal["phone", "place"]
    distance_m: float | None = None
    similarity: float | None = None


class TicketDuplicateFlagged(Event):
    type = "ticket.duplicate_flagged"
    number: str
    candidates: list[DuplicateCandidate]
    repeat_count: int
    group: bool
    consult: bool


class UnitUpserted(Event):
    type = "unit.upserted"
    code: str
    name: str
    kind: str
    parent: str | None
    region_code: str
    handler_phones: list[str]
    handler_openids: list[str]
    leader_phones: list[str]
    active: bool


class CategoryUpserted(Event):
    type = "category.upserted"
    code: str
    name: str
    parent: str | None
    urgency: str
    sla_class: str
    statutory_days: int | None
    active: bool
