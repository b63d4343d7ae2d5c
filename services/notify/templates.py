"""Default message templates per (kind, audience, channel), and how they are rendered.

An SMS template mirrors what is registered with the provider: fixed text with ${name}
placeholders and, for each name, a Jinja expression over the event data. WeChat
templates fill the keys of a subscribe-message template the same way. Jinja runs
sandboxed with StrictUndefined, so templates edited by administrators can neither
reach into Python nor silently render blanks.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from services.notify.providers.base import SmsMessage, WechatMessage

SIGN_NAME = "文山接诉即办"
AUDIENCES = ("citizen", "handler", "leader", "center", "supervisor")
CHANNELS = ("sms", "wechat")
SMS_PARAM_LIMIT = 20
# WeChat subscribe-message value limits by key type (thing3 -> thing).
WECHAT_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "number": 32}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
_BEIJING = timezone(timedelta(hours=8))  # no daylight saving in China


@dataclass(frozen=True)
class SmsTemplate:
    """A provider SMS template: its code, its text with ${name}, a Jinja expression per name."""

    code: str
    body: str
    params: Mapping[str, str]

    def __post_init__(self) -> None:
        if set(placeholders(self.body)) != set(self.params):
            raise ValueError(f"{self.code}: placeholders and params differ")


@dataclass(frozen=True)
class WechatTemplate:
    """A subscribe-message template: its id, the mini-program page, a Jinja expression per key."""

    template_id: str
    page: str
    data: Mapping[str, str]


@dataclass(frozen=True)
class RenderedSms:
    """What to send (code + params, in placeholder order) and what the recipient reads."""

    template_code: str
    params: dict[str, str]
    text: str
    sign_name: str

    @property
    def segments(self) -> int:
        """How many SMS the carrier bills for the text."""
        return sms_segments(self.text)

    def message(self, phone: str) -> SmsMessage:
        """The provider message for one phone."""
        return SmsMessage(phone, self.template_code, self.params, self.sign_name, self.text)


@dataclass(frozen=True)
class RenderedWechat:
    """A filled subscribe message."""

    template_id: str
    page: str
    data: dict[str, str]

    def message(self, openid: str) -> WechatMessage:
        """The provider message for one openid."""
        return WechatMessage(openid, self.template_id, self.data, self.page)


def placeholders(body: str) -> list[str]:
    """The ${name} placeholders of a provider template, in order of appearance."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(body)))


def sms_segments(text: str) -> int:
    """Billed SMS count: one up to 70 characters, else 67 per segment (signature included)."""
    return 1 if len(text) <= 70 else math.ceil(len(text) / 67)


def truncate(value: str, limit: int) -> str:
    """At most `limit` characters, ending in … when cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _as_datetime(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(_BEIJING)


def format_short_time(value: datetime | str) -> str:
    """Beijing time as 3月5日17:30, short enough for an SMS parameter."""
    moment = _as_datetime(value)
    return f"{moment.month}月{moment.day}日{moment:%H:%M}"


def format_wechat_time(value: datetime | str) -> str:
    """Beijing time in WeChat's time.DATA format: 2025年3月5日 17:30."""
    moment = _as_datetime(value)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def format_duration(value: float | timedelta) -> str:
    """A span as 1天2小时, 3小时15分钟 or 40分钟."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    minutes = max(int(seconds // 60), 0)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{minutes}分钟"


class _Environment(SandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would take the process's time or memory."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" or any(isinstance(v, str | list | tuple) for v in (left, right)):
            raise SecurityError(f"模板中不允许此运算（{operator}）")
        result = super().call_binop(context, operator, left, right)
        if abs(result) > MAX_NUMBER:
            raise SecurityError("模板中的数值过大")
        return result


MAX_NUMBER = 10**6
_ENV = _Environment(undefined=StrictUndefined, autoescape=False)
_ENV.globals.clear()  # range, lipsum, cycler …: nothing a message needs
_ENV.filters.update(dt=format_short_time, wxtime=format_wechat_time, duration=format_duration)


@lru_cache(maxsize=1024)
def _compiled(source: str):
    return _ENV.from_string(source)


def render_value(source: str, context: Mapping[str, Any]) -> str:
    """One Jinja expression rendered on one line: parameters must not break lines."""
    return " ".join(_compiled(source).render(context).split())



def render_sms(
    template: SmsTemplate, context: Mapping[str, Any], *, sign_name: str = SIGN_NAME
) -> RenderedSms:
    """Params from the event (each cut to the provider limit) and the text the phone shows."""
    params = {
        name: truncate(render_value(template.params[name], context), SMS_PARAM_LIMIT)
        for name in placeholders(template.body)
    }
    # The link's domain is fixed text of the registered template (providers refuse long
    # variables); {site_url} is notify's CITIZEN_SITE_URL, the same one registered.
    fixed = template.body.replace("{site_url}", str(context.get("site_url") or ""))
    body = _PLACEHOLDER.sub(lambda match: params[match[1]], fixed)
    return RenderedSms(template.code, params, f"【{sign_name}】{body}", sign_name)


def render_wechat(template: WechatTemplate, context: Mapping[str, Any]) -> RenderedWechat:
    """Data values from the event, each cut to its WeChat key-type limit."""
    data = {}
    for key, source in template.data.items():
        limit = WECHAT_LIMITS.get(key.rstrip("0123456789"))
        value = render_value(source, context)
        data[key] = truncate(value, limit) if limit else value
    return RenderedWechat(template.template_id, render_value(template.page, context), data)


def default_template(kind: str, audience: str, channel: str) -> SmsTemplate | WechatTemplate:
    """The template shipped in code; KeyError when that kind has none for audience/channel."""
    return DEFAULT_TEMPLATES[(kind, audience, channel)]


# One meaning per placeholder name across all SMS templates.
_SMS_PARAMS = {
    "code": "{{ code }}",
    "number": "{{ ticket_number }}",
    "category": "{{ category }}",
    "summary": "{{ summary }}",
    "unit": "{{ unit_name }}",
    "deadline": "{{ deadline | dt }}",
    "missing": "{{ missing }}",
    "reason": "{{ reason }}",
    "reply": "{{ reply }}",
    "result": "{{ result }}",
    "time_left": "{{ time_left | duration }}",
    "overdue": "{{ overdue_by | duration }}",
    "limit": "{{ time_limit }}",
}

# (kind, audience) -> (provider template code, provider template text)
_SMS = {
    ("auth.code_requested", "citizen"): ("SMS_AUTH_CODE", "您的验证码为${code}，5分钟内有效，请勿泄露给他人。"),
    ("ticket.accepted", "citizen"): ("SMS_TICKET_ACCEPTED", "您反映的诉求已受理，工单号${number}，我们将尽快交办处理。查看进度：{site_url}/m/tickets/${number}"),
    ("ticket.info_requested", "citizen"): ("SMS_TICKET_INFO_REQUESTED", "您的诉求${number}需补充：${missing}。请于${deadline}前补充，逾期将失效：{site_url}/m/tickets/${number}"),
    ("ticket.rejected", "citizen"): ("SMS_TICKET_REJECTED", "您的诉求${number}不予受理，原因：${reason}。如有疑问请拨打12345咨询。"),
    ("ticket.replied", "citizen"): ("SMS_TICKET_REPLIED", "您的诉求${number}有新回复：${reply}。详情：{site_url}/m/tickets/${number}"),
    ("ticket.resolved", "citizen"): ("SMS_TICKET_RESOLVED", "您的诉求${number}已办结：${result}。请评价：{site_url}/m/tickets/${number}"),
    ("ticket.reopened", "citizen"): ("SMS_TICKET_REOPENED", "您的诉求${number}已重新交办，我们将继续跟进办理，请留意后续通知。"),
    ("ticket.reopened", "handler"): ("SMS_HANDLER_REOPENED", "工单${number}已重新交办，原因：${reason}，请尽快办理。"),
    ("ticket.assigned", "handler"): ("SMS_HANDLER_ASSIGNED", "您单位有新工单${number}，类别：${category}，办理时限${limit}，请及时签收办理。"),
    ("ticket.return_denied", "handler"): ("SMS_HANDLER_RETURN_DENIED", "工单${number}的退回申请未获批准，原因：${reason}，请继续办理。"),
    ("ticket.supplemented", "handler"): ("SMS_HANDLER_SUPPLEMENTED", "工单${number}的诉求人已补充材料，请及时查看并办理。"),
    ("ticket.completion_sent_back", "handler"): ("SMS_HANDLER_SENT_BACK", "工单${number}的办结报告被退回，原因：${reason}，请修改后重新提交。"),
    ("sla.warning", "handler"): ("SMS_SLA_WARNING", "工单${number}距办理时限还剩${time_left}，请抓紧办理。"),
    ("sla.overdue", "handler"): ("SMS_SLA_OVERDUE_HANDLER", "工单${number}已超期${overdue}，请立即办理并说明情况。"),
    ("sla.overdue", "leader"): ("SMS_SLA_OVERDUE_LEADER", "您单位工单${number}已超期${overdue}，请督促尽快办结。"),
    ("sla.overdue", "center"): ("SMS_SLA_OVERDUE_CENTER", "${unit}承办的工单${number}已超期${overdue}，请跟踪督办。"),
    ("ticket.completion_submitted", "leader"): ("SMS_LEADER_REVIEW", "工单${number}的办理结果已提交，请审核后上报。"),
    ("ticket.return_requested", "center"): ("SMS_CENTER_RETURN_REQUESTED", "${unit}申请退回工单${number}，理由：${reason}，请及时审核。"),
    ("ticket.extension_requested", "center"): ("SMS_CENTER_EXTENSION_REQUESTED", "${unit}申请将工单${number}延期至${deadline}，请及时审核。"),
    ("ticket.dissatisfied_twice", "supervisor"): ("SMS_SUPERVISOR_DISSATISFIED", "工单${number}（${unit}承办）群众二次评价不满意，请督查。"),
    ("ticket.urgent_created", "center"): ("SMS_CENTER_URGENT", "紧急工单${number}：${summary}，请立即研判处置。"),
}  # fmt: skip

_CITIZEN_PAGE = "pages/ticket/detail?number={{ ticket_number | urlencode }}"
_STAFF_PAGE = "pages/staff/ticket?number={{ ticket_number | urlencode }}"
_NOW = "{{ occurred_at | wxtime }}"


def _progress(status: str, note: str) -> WechatTemplate:
    # 工单进度提醒: 工单编号 / 办理状态 / 诉求内容 / 更新时间 / 说明
    keys = ("character_string1", "phrase2", "thing3", "time4", "thing5")
    values = ("{{ ticket_number }}", status, "{{ summary }}", _NOW, note)
    return WechatTemplate("WX_TICKET_PROGRESS", _CITIZEN_PAGE, dict(zip(keys, values, strict=True)))


def _todo(task: str, note: str, subject: str = "{{ category }}") -> WechatTemplate:
    # 工单待办提醒: 工单编号 / 待办事项 / 诉求类别 / 提醒时间 / 备注. Most events carry no
    # deadline, so the time is when it happened; deadlines go into the note where known.
    keys = ("character_string1", "thing2", "thing3", "time4", "thing5")
    values = ("{{ ticket_number }}", task, subject, _NOW, note)
    return WechatTemplate("WX_TICKET_TODO", _STAFF_PAGE, dict(zip(keys, values, strict=True)))


_WECHAT = {
    ("ticket.accepted", "citizen"): _progress("已受理", "我们将尽快交办处理"),
    ("ticket.info_requested", "citizen"): _progress("待完善", "请补充：{{ missing }}"),
    ("ticket.rejected", "citizen"): _progress("不予受理", "{{ reason }}"),
    ("ticket.replied", "citizen"): _progress("有新回复", "{{ reply }}"),
    ("ticket.resolved", "citizen"): _progress("已办结", "请对办理结果进行评价"),
    ("ticket.reopened", "citizen"): _progress("重新办理", "我们将继续跟进办理"),
    ("ticket.reopened", "handler"): _todo("工单重新交办", "{{ reason }}"),
    ("ticket.assigned", "handler"): _todo("新工单待签收", "办理时限{{ time_limit }}"),
    ("ticket.return_denied", "handler"): _todo("退回申请未获批准", "{{ reason }}"),
    ("ticket.supplemented", "handler"): _todo("诉求人已补充材料", "请及时查看并办理"),
    ("ticket.completion_sent_back", "handler"): _todo("办结报告被退回", "{{ reason }}"),
    ("sla.warning", "handler"): _todo("工单即将超期", "剩余{{ time_left | duration }}，{{ deadline | dt }}截止"),
    ("sla.overdue", "handler"): _todo("工单已超期", "已超期{{ overdue_by | duration }}"),
    ("sla.overdue", "leader"): _todo("本单位工单超期", "已超期{{ overdue_by | duration }}"),
    ("sla.overdue", "center"): _todo("{{ unit_name }}工单超期", "已超期{{ overdue_by | duration }}"),
    ("ticket.completion_submitted", "leader"): _todo("办理结果待审核", "审核后上报指挥中心"),
    ("ticket.return_requested", "center"): _todo("{{ unit_name }}申请退回", "{{ reason }}"),
    ("ticket.extension_requested", "center"): _todo("{{ unit_name }}申请延期", "延至{{ deadline | dt }}：{{ reason }}"),
    ("ticket.dissatisfied_twice", "supervisor"): _todo("群众二次不满意", "{{ unit_name }}承办"),
    ("ticket.urgent_created", "center"): _todo("紧急工单待处置", "请立即研判处置", "{{ summary }}"),
}  # fmt: skip


def _sms_template(code: str, body: str) -> SmsTemplate:
    return SmsTemplate(code, body, {name: _SMS_PARAMS[name] for name in placeholders(body)})


DEFAULT_TEMPLATES: dict[tuple[str, str, str], SmsTemplate | WechatTemplate] = {
    **{(kind, who, "sms"): _sms_template(*spec) for (kind, who), spec in _SMS.items()},
    **{(kind, who, "wechat"): template for (kind, who), template in _WECHAT.items()},
}
