"""What templates may say: the variables rendered from an event and what notify knows of its ticket.

Every variable is always present, so a template edited by an administrator is checked
against the same names the events fill in (SAMPLE).
"""

from datetime import datetime, timedelta

from services.core.events import Envelope

# DESIGN.md: a ticket left 待完善 expires as 已失效 after 10 days.
PENDING_INFO_DAYS = 10
# Completion limits by SLA class (DESIGN.md, Yanshan plan), shown to the handling unit.
TIME_LIMITS = {
    "urgent": "3个工作日",
    "normal": "5个工作日",
    "complex": "15个工作日",
    "consult": "2个工作日",
}
# Template variable -> the event data fields that fill it, first present wins.
_FROM_DATA = {
    "code": ("code",),
    "reason": ("reason",),
    "missing": ("missing",),
    "result": ("result",),
    "reply": ("text",),
    "deadline": ("deadline", "requested_deadline", "new_deadline"),
    "time_left": ("seconds_left",),
}


def render_context(envelope: Envelope, ticket: dict | None = None, *, unit_name: str = "") -> dict:
    """The JSON-safe variables of one event's messages."""
    data, ticket = envelope.data, ticket or {}
    values = {
        name: next((data[f] for f in fields if data.get(f) is not None), None)
        for name, fields in _FROM_DATA.items()
    }
    context = {
        **{name: value if value is not None else "" for name, value in values.items()},
        "ticket_number": data.get("number") or ticket.get("number") or "",
        # Its name where routing told us (环境卫生), else its code, as intake received it.
        "category": (data.get("category_name") or ticket.get("category_name")
                     or data.get("category") or ticket.get("category") or "其他"),
        "summary": ticket.get("title") or data.get("title") or "",
        "unit_name": unit_name or data.get("unit_name") or "",
        "occurred_at": envelope.occurred_at.isoformat(),
        "deadline": values["deadline"],
        "time_left": values["time_left"] or 0,
        "overdue_by": 0,
        "time_limit": time_limit(data),
        "site_url": "",  # filled in when the messages are queued (enqueue's site_url)
    }
    return _derived(envelope, context)


def _derived(envelope: Envelope, context: dict) -> dict:
    if envelope.type == "ticket.info_requested" and not context["deadline"]:
        context["deadline"] = (envelope.occurred_at + timedelta(days=PENDING_INFO_DAYS)).isoformat()
    if envelope.type == "sla.overdue" and context["deadline"]:
        late = envelope.occurred_at - datetime.fromisoformat(context["deadline"])
        context["overdue_by"] = max(late.total_seconds(), 0)
    if context["deadline"] is None:
        # Templates of events without a deadline never show one; this keeps filters total.
        context["deadline"] = context["occurred_at"]
    return context


def time_limit(data: dict) -> str:
    """办理时限 as the unit reads it: statutory days, or the limit of the SLA class."""
    if data.get("statutory_days"):
        return f"{data['statutory_days']}个工作日"
    return TIME_LIMITS.get(data.get("sla_class") or "", TIME_LIMITS["normal"])


SAMPLE = {
    "code": "482913",
    "site_url": "https://12345.example.gov.cn",
    "ticket_number": "WS20250305000123",
    "category": "市容环境",
    "summary": "东风路小区门口垃圾长期堆放无人清运",
    "unit_name": "开化街道办事处",
    "occurred_at": "2025-03-05T01:02:00+00:00",
    "deadline": "2025-03-10T09:30:00+00:00",
    "missing": "具体位置（门牌号）和现场照片",
    "reason": "该事项已进入司法诉讼程序",
    "reply": "已联系环卫所，今日18时前安排清运",
    "result": "垃圾已清运完毕",
    "time_left": 7500,
    "overdue_by": 90000,
    "time_limit": "5个工作日",
}
