"""Notify's HTTP input and output."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["queued", "sending", "sent", "delivered", "failed", "deferred", "fallback"]
Channel = Literal["sms", "wechat"]
# PostgreSQL text and jsonb cannot hold a NUL character.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
Expression = Annotated[str, Field(max_length=300, pattern=NO_NUL)]


class MessageOut(BaseModel):
    """One message as the command center follows it."""

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    template: str
    ticket_number: str | None
    audience: str
    recipient: str
    channel: Channel
    status: Status
    attempts: int
    text: str
    segments: int | None = None  # SMS only: how many the carrier bills
    next_attempt_at: datetime | None
    provider: str | None
    provider_message_id: str | None
    error_code: str | None
    error_text: str | None
    fallback_of: uuid.UUID | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class TemplateIn(BaseModel):
    """An edited template: code, body and params for SMS; template_id, page and data for WeChat."""

    model_config = ConfigDict(extra="forbid")

    code: Name | None = None
    body: str | None = Field(None, min_length=1, max_length=300, pattern=NO_NUL)
    params: dict[Name, Expression] | None = Field(None, max_length=30)
    template_id: Name | None = None
    page: str | None = Field(None, max_length=200, pattern=NO_NUL)
    data: dict[Name, Expression] | None = Field(None, max_length=30)


class TemplateOut(BaseModel):
    """A template in force, where it comes from, and how it reads on sample data."""

    kind: str
    audience: str
    channel: Channel
    source: Literal["default", "custom"]
    template: dict
    preview: dict
    updated_by: str | None = None
    updated_at: datetime | None = None
