"""Events sla publishes: clock changes, warnings before a breach and the breach itself
(docs/events.md), and the outbox they go through."""

from datetime import datetime
from typing import Literal

from services.core.events import UnitEvent
from services.core.outbox import Outbox
from services.sla.models import outbox

OUTBOX = Outbox(outbox, "sla")
"""Sla's outbox: handlers and the scheduler stage events here; the app's relay publishes them."""


class SlaClockChanged(UnitEvent):
    """A unit's clock started, paused, resumed, moved or stopped: its deadline as it is now."""

    type = "sla.clock_changed"
    number: str
    clock: Literal["response", "completion"]
    state: Literal["running", "paused", "stopped"]
    deadline: datetime | None
    warn_at: datetime | None


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
