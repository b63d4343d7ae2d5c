"""The arithmetic of one clock: its deadline, its warning points, what is due, time left.

A clock counts either wall-clock seconds (`clock` basis: response within 1 or 24 hours)
or working seconds of the official calendar (`working` basis: completion in working days).
Paused time never counts, so every point is measured from the start plus the pauses.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.core.workdays import DAY, Calendar

HOUR = 3600.0
CLOCK, WORKING = "clock", "working"
FLAGS = {"ratio": "warned_ratio_at", "before": "warned_before_at", "overdue": "overdue_at"}


@dataclass(frozen=True)
class Level:
    """A point on a clock where sla speaks: a warning (`75%`, `2h`) or the breach."""

    key: str  # ratio | before | overdue
    label: str
    due: datetime

    @property
    def flag(self) -> str:
        return FLAGS[self.key]


def measure(calendar: Calendar, basis: str, a: datetime, b: datetime) -> float:
    """Seconds that count between two instants on this basis."""
    if basis == WORKING:
        return calendar.working_seconds_between(a, b)
    return (b - a).total_seconds()


def advance(calendar: Calendar, basis: str, start: datetime, seconds: float) -> datetime:
    """The instant when `seconds` of counted time have passed since `start`."""
    if basis == WORKING:
        return calendar.add_working_seconds(start, max(seconds, 0.0)).at
    return start + timedelta(seconds=seconds)


def allowance(policy: Mapping, statutory_days: int | None) -> tuple[str, float]:
    """The basis and counted seconds a policy grants; a statutory limit overrides it."""
    if statutory_days:
        return WORKING, statutory_days * DAY.total_seconds()
    if policy["basis"] == "working_days":
        return WORKING, policy["amount"] * DAY.total_seconds()
    return CLOCK, policy["amount"] * HOUR


def levels(calendar: Calendar, clock: Mapping) -> list[Level]:
    """Every point of the clock in time order, whether already announced or not."""
    start, deadline, paused = clock["started_at"], clock["deadline"], clock["paused_seconds"]
    total = measure(calendar, clock["basis"], start, deadline) - paused
    points = []
    ratio, before = clock["warn_ratio"] or 0.0, clock["warn_before_seconds"] or 0.0
    if total > 0 and ratio:
        due = advance(calendar, clock["basis"], start, ratio * total + paused)
        points.append(Level("ratio", f"{ratio * 100:g}%", due))
    if total > 0 and before and total - before > ratio * total:
        due = advance(calendar, clock["basis"], start, total - before + paused)
        points.append(Level("before", f"{before / HOUR:g}h", due))
    points.append(Level("overdue", "overdue", deadline))
    return points


def pending(calendar: Calendar, clock: Mapping) -> list[Level]:
    """The points not announced yet."""
    return [level for level in levels(calendar, clock) if clock[level.flag] is None]


def counting(clock: Mapping) -> bool:
    """Whether the clock runs now: not ended and not paused."""
    return clock["stopped_at"] is None and clock["paused_at"] is None


def next_check(calendar: Calendar, clock: Mapping, after: datetime | None = None) -> datetime | None:
    """When the scheduler must look at this clock next (after `after`); None if never."""
    if not counting(clock):
        return None
    dues = [level.due for level in pending(calendar, clock) if after is None or level.due > after]
    return min(dues, default=None)


def due_now(calendar: Calendar, clock: Mapping, now: datetime) -> list[Level]:
    """What to announce at `now`: missed warnings, or only the breach once it has come."""
    due = [level for level in pending(calendar, clock) if level.due <= now]
    breach = [level for level in due if level.key == "overdue"]
    return breach or due


def seconds_left(calendar: Calendar, clock: Mapping, now: datetime) -> float | None:
    """Counted seconds until the deadline (negative past it); None once the clock ended."""
    if clock["stopped_at"] is not None:
        return None
    at = clock["paused_at"] or now
    return measure(calendar, clock["basis"], at, clock["deadline"])


def verdict(clock: Mapping, at: datetime) -> str:
    """met or breached, for a clock whose work was done at `at`."""
    done = clock["paused_at"] or at
    return "met" if done <= clock["deadline"] else "breached"
