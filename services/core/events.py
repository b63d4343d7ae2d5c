"""Typed events and the envelope every message on `hotline.events` carries (DESIGN.md)."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Envelope(BaseModel):
    """What travels on the broker: metadata around one event's data."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    type: str
    version: int = 1
    occurred_at: datetime
    producer: str
    ticket_id: uuid.UUID | None = None
    correlation_id: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class Event(BaseModel):
    """An event's data; subclasses name their type in the past tense."""

    type: ClassVar[str]
    version: ClassVar[int] = 1

    def routing_key(self) -> str:
        """The topic routing key: the type, plus the unit code where a unit is addressed."""
        return self.type

    def envelope(self, *, producer: str, ticket_id=None, correlation_id: str = "") -> Envelope:
        """Wrap the data in a fresh envelope."""
        return Envelope(
            id=uuid.uuid4(),
            type=self.type,
            version=self.version,
            occurred_at=datetime.now(UTC),
            producer=producer,
            ticket_id=ticket_id,
            correlation_id=correlation_id,
            data=self.model_dump(mode="json"),
        )


class UnitEvent(Event):
    """An event addressed to one unit: its code ends the routing key."""

    unit_code: str

    def routing_key(self) -> str:
        return f"{self.type}.{self.unit_code}"
