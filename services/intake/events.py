"""Events intake publishes: the life of a ticket, and login codes (docs/events.md)."""

import uuid
from datetime import datetime

from services.core.events import Event


class TicketCreated(Event):
    type = "ticket.created"
    number: str
    channel: str
    ticket_type: str
    category: str | None
    urgency: str
    title: str
    content: str
    region_code: str
    town_code: str | None
    address: str | None
    lat: float | None
    lng: float | None
    contact_phone: str
    citizen_openid: str | None = None
    anonymous: bool
    media_ids: list[uuid.UUID]


class TicketAccepted(Event):
    type = "ticket.accepted"
    number: str
    region_code: str


class TicketRejected(Event):
    type = "ticket.rejected"
    number: str
    reason_code: str
    reason: str
    contact_phone: str


class TicketInfoRequested(Event):
    type = "ticket.info_requested"
    number: str
    contact_phone: str
    missing: str


class TicketSupplemented(Event):
    type = "ticket.supplemented"
    number: str
    content: str
    media_ids: list[uuid.UUID]
    status: str


class TicketExpired(Event):
    type = "ticket.expired"
    number: str
    contact_phone: str


class UnitAction(Event):
    """An event about what one handling unit did or is asked."""

    number: str
    unit_code: str


class TicketSigned(UnitAction):
    type = "ticket.signed"


class TicketReplied(UnitAction):
    type = "ticket.replied"
    text: str


class TicketReturnRequested(UnitAction):
    type = "ticket.return_requested"
    reason: str
    evidence_media_ids: list[uuid.UUID] = []


class TicketReturned(UnitAction):
    type = "ticket.returned"
    reason: str


class TicketReturnDenied(UnitAction):
    type = "ticket.return_denied"
    reason: str


class TicketExtensionRequested(UnitAction):
    type = "ticket.extension_requested"
    requested_deadline: datetime
    reason: str


class TicketExtended(UnitAction):
    type = "ticket.extended"
    new_deadline: datetime


class TicketCompletionSubmitted(UnitAction):
    type = "ticket.completion_submitted"


class TicketResolved(UnitAction):
    type = "ticket.resolved"
    result: str
    evidence_media_ids: list[uuid.UUID] = []


class TicketCompletionSentBack(UnitAction):
    type = "ticket.completion_sent_back"
    reason: str
    by: str


class TicketMediaAttached(Event):
    """Evidence a unit attached to a contact log, reply, part or completion report."""

    type = "ticket.media_attached"
    number: str
    media_ids: list[uuid.UUID]


class TicketEvaluated(Event):
    type = "ticket.evaluated"
    number: str
    resolved: bool
    satisfaction: str
    comment: str | None
    auto: bool = False


class TicketReopened(Event):
    type = "ticket.reopened"
    number: str
    reason: str
    times: int
    unit_codes: list[str] = []


class TicketClosed(Event):
    type = "ticket.closed"
    number: str
    auto: bool = False


class TicketMerged(Event):
    type = "ticket.merged"
    number: str
    master_number: str


class TicketUrgencyChanged(Event):
    type = "ticket.urgency_changed"
    number: str
    urgency: str


class AuthCodeRequested(Event):
    type = "auth.code_requested"
    phone: str
    code: str
    expires_in: int


class CitizenWechatBound(Event):
    """A citizen logged in from the mini-program: WeChat messages reach this phone's tickets."""

    type = "citizen.wechat_bound"
    phone: str
    openid: str
