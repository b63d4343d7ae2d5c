"""Events notify publishes: a message went out, or finally could not (docs/events.md)."""

import uuid

from services.core.events import Event


class NotifySent(Event):
    type = "notify.sent"
    message_id: uuid.UUID
    event_id: uuid.UUID
    ticket_number: str | None
    audience: str
    channel: str
    recipient: str  # masked
    template: str


class NotifyFailed(Event):
    type = "notify.failed"
    message_id: uuid.UUID
    event_id: uuid.UUID
    ticket_number: str | None
    audience: str
    channel: str
    recipient: str  # masked
    template: str
    error_code: str
    error: str
