"""The fields each process action asks for, as intake's request bodies define them."""

from dataclasses import dataclass
from datetime import datetime

from services.core import vocabulary as words
from services.core.workdays import TZ


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "textarea"  # textarea | text | select | datetime
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Form:
    fields: tuple[Field, ...] = ()
    evidence: bool = False  # photos, video or recordings, uploaded to media first
    danger: bool = False  # asks for confirmation: it sends the ticket away or back


NOTE = Field("note", "说明（可选）", required=False)
TEXT = Field("text", "内容")
REASON = Field("reason", "理由")
REJECT_OPTIONS = tuple(words.REJECT_REASONS.items())

FORMS: dict[str, Form] = {
    "accept": Form((NOTE,)),
    "reject": Form((Field("reason_code", "不予受理原因", "select", options=REJECT_OPTIONS),
                    Field("text", "补充说明", required=False, hint="选择「其他原因」时必填")), danger=True),
    "request_info": Form((Field("missing", "需要诉求人补充的内容"),)),
    "set_urgency": Form((Field("urgency", "紧急程度", "select", options=tuple(words.URGENCY.items())),)),
    "merge": Form((Field("master_number", "主工单号", "text", hint="与本工单重复、继续办理的工单"),),
                  danger=True),
    "sign": Form((NOTE,)),
    "contact": Form((Field("text", "联系情况"),), evidence=True),
    "reply": Form((Field("text", "答复内容"),), evidence=True),
    "submit_part": Form((Field("text", "配合办理情况"),), evidence=True),
    "submit_completion": Form((Field("result", "办理结果"),), evidence=True),
    "approve_completion": Form((NOTE,)),
    "return_internal": Form((REASON,), danger=True),
    "accept_completion": Form((NOTE,)),
    "send_back": Form((Field("reason", "退回理由"),), danger=True),
    "request_return": Form((Field("reason", "退件理由"),), evidence=True, danger=True),
    "approve_return": Form((NOTE,), danger=True),
    "deny_return": Form((REASON,)),
    "request_extension": Form((Field("deadline", "申请延至", "datetime"),
                               Field("reason", "延期理由"))),
    "approve_extension": Form((NOTE,)),
    "deny_extension": Form((REASON,)),
    "supervise": Form((Field("text", "督办意见"),)),
    "answer_supervision": Form((Field("text", "督办答复"),), evidence=True),
}
FALLBACK = Form((NOTE,))
# Buttons in the order a person reaches for them: the next step of the process first,
# the ones that send a ticket away or back last.
ORDER = ("accept", "sign", "reply", "contact", "submit_completion", "submit_part",
         "approve_completion", "accept_completion", "approve_return", "deny_return",
         "approve_extension", "deny_extension", "request_extension", "set_urgency",
         "request_info", "supervise", "answer_supervision", "return_internal", "send_back",
         "request_return", "merge", "reject")


def in_order(actions: list[dict]) -> list[dict]:
    """intake's allowed actions, sorted as ORDER says (unknown ones after, as they came)."""
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(actions, key=lambda a: rank.get(a["action"], len(ORDER)))


def form_for(action: str) -> Form:
    return FORMS.get(action, FALLBACK)


def body_from(action: str, form: dict, media_ids: list[str]) -> dict:
    """The JSON body of an action from the posted form: blanks left out, times in Beijing."""
    spec = form_for(action)
    body: dict = {}
    for one in spec.fields:
        value = str(form.get(one.name) or "").strip()
        if not value:
            continue
        if one.kind == "datetime":
            value = _beijing_input(value)
        body[one.name] = value
    if spec.evidence and media_ids:
        body["media_ids"] = media_ids
    return body


def _beijing_input(value: str) -> str:
    """`2026-12-03T17:00` from a datetime-local input, read as Beijing time."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=TZ).isoformat()
    except ValueError:
        return value  # intake names the field in its 422
