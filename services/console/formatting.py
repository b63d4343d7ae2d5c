"""Jinja2 filters: Beijing time, names for codes, SLA countdowns. Pages format nothing by hand."""

from datetime import UTC, datetime

from jinja2 import Environment

from services.core import vocabulary as words
from services.core.pages import beijing, beijing_date
from services.core.workdays import Calendar

DAY, HOUR, MINUTE = 86400, 3600, 60
SLA_CLASSES = {"overdue": "sla-overdue", "warning": "sla-warning", "normal": "sla-normal"}


def moment(value) -> datetime | None:
    """A datetime from the API's ISO text (or a datetime), always timezone-aware."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def span(seconds: float, *, working: bool) -> str:
    """`1 个工作日 3 小时` (working time) or `5 小时 20 分` (clock time)."""
    seconds = int(abs(seconds))
    days, hours, minutes = seconds // DAY, seconds % DAY // HOUR, seconds % HOUR // MINUTE
    if days:
        unit = "个工作日" if working else "天"
        return f"{days} {unit} {hours} 小时" if hours else f"{days} {unit}"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{max(minutes, 1)} 分钟"


def which_clock(row: dict) -> tuple[str, datetime, bool] | None:
    """The clock that matters now: 签收 until the unit signs, then 办结 (working days)."""
    response, completion = moment(row.get("response_due")), moment(row.get("completion_due"))
    if row.get("status") == "assigned" and response:
        return "签收", response, False
    if completion:
        return "办结", completion, True
    return None


def countdown(row: dict, calendar: Calendar, now: datetime | None = None) -> dict | None:
    """`剩余 1 个工作日 3 小时` with its colour: red when overdue, amber after the warning."""
    clock = which_clock(row)
    if clock is None:
        return None
    name, due, working = clock
    now = now or datetime.now(UTC)
    if due > now:
        left = calendar.working_seconds_between(now, due) if working else (due - now).total_seconds()
        state = "warning" if row.get("sla_state") == "warning" or row.get("warned") else "normal"
        text = f"{name}剩余 {span(left, working=working)}"
    else:
        late = calendar.working_seconds_between(due, now) if working else (now - due).total_seconds()
        state, text = "overdue", f"{name}超期 {span(late, working=working)}"
    if row.get("sla_state") == "overdue":
        state = "overdue"
    return {"text": text, "state": state, "css": SLA_CLASSES[state], "due": beijing(due)}


def clock_left(clock: dict) -> str:
    """What remains of one of sla's clocks (`time_left_hours` counts working hours for 办结)."""
    return span((clock.get("time_left_hours") or 0) * HOUR, working=clock.get("basis") == "working")


def mask_phone(phone: str | None) -> str:
    """138****0001: for lists, where a phone needs recognising, not dialling."""
    if not phone:
        return "—"
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone


def install(env: Environment) -> None:
    """Register every filter once, on the console's template environment."""
    env.filters.update(
        beijing=beijing, beijing_date=beijing_date, mask_phone=mask_phone,
        channel=lambda code: words.label(words.CHANNELS, code),
        ticket_type=lambda code: words.label(words.TICKET_TYPES, code),
        urgency=lambda code: words.label(words.URGENCY, code),
        unit_role=lambda code: words.label(words.UNIT_ROLES, code),
        actor_role=lambda code: words.label(words.ACTOR_ROLES, code),
        step=lambda code: words.label(words.TIMELINE_ACTIONS, code),
    )
