"""Events intake publishes: the life of a ticket, and login codes."""

import uuid

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
    anonymous: bool
    media_ids: list[uuid.UUID]


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


class TicketEvaluated(Event):
    type = "ticket.evaluated"
    number: str
    resolved: bool
    satisfaction: str
    comment: str | None


class TicketReopened(Event):
    type = "ticket.reopened"
    number: str
    reason: str
    times: int


class AuthCodeRequested(Event):
    type = "auth.code_requested"
    phone: str
    code: str
    expires_in: int
