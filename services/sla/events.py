"""Events sla publishes: warnings before a breach and the breach itself (docs/events.md)."""

from datetime import datetime

from services.core.events import UnitEvent


class SlaWarning(UnitEvent):
    type = "sla.warning"
    number: str
    clock: str
    deadline: datetime
    seconds_left: float
    level: str


class SlaOverdue(UnitEvent):
    type = "sla.overdue"
    number: str
    clock: str
    deadline: datetime
