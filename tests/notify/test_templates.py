"""Default notification templates: every one renders, fits provider limits, counts segments."""

from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from services.notify.templates import (
    DEFAULT_TEMPLATES,
    SMS_PARAM_LIMIT,
    WECHAT_LIMITS,
    SmsTemplate,
    WechatTemplate,
    default_template,
    format_duration,
    format_short_time,
    render_sms,
    render_wechat,
    sms_segments,
)

TICKET = "WS20250305000123"
EVENT = {
    "code": "482913",
    "site_url": "https://12345.example.gov.cn",
    "ticket_number": TICKET,
    "category": "市容环境",
    "summary": "开化街道东风路小区门口垃圾长期堆放无人清运，夏季气味难闻",
    "unit_name": "开化街道办事处",
    "deadline": "2025-03-10T09:30:00+00:00",
    "occurred_at": datetime(2025, 3, 5, 1, 2, tzinfo=UTC),
    "missing": "具体位置（门牌号）和现场照片",
    "reason": "该事项已进入司法诉讼程序，依规不予受理，请通过法律途径解决",
    "reply": "已联系环卫所，今日18时前安排清运",
    "result": "垃圾已清运完毕，并将清运频次调整为每日两次",
    "time_left": 7500,
    "overdue_by": timedelta(days=1, hours=1),
    "time_limit": "5个工作日",
}

EXPECTED = [
    ("auth.code_requested", "citizen", "sms"),
    *[
        (kind, "citizen", channel)
        for kind in (
            "ticket.accepted",
            "ticket.info_requested",
            "ticket.rejected",
            "ticket.replied",
            "ticket.resolved",
            "ticket.reopened",
        )
        for channel in ("sms", "wechat")
    ],
    *[
        (kind, audience, channel)
        for kind, audience in (
            ("ticket.reopened", "handler"),
            ("ticket.assigned", "handler"),
            ("ticket.return_denied", "handler"),
            ("ticket.supplemented", "handler"),
            ("ticket.completion_sent_back", "handler"),
            ("sla.warning", "handler"),
            ("sla.overdue", "handler"),
            ("sla.overdue", "leader"),
            ("sla.overdue", "center"),
            ("ticket.completion_submitted", "leader"),
            ("ticket.return_requested", "center"),
            ("ticket.extension_requested", "center"),
            ("ticket.dissatisfied_twice", "supervisor"),
            ("ticket.urgent_created", "center"),
        )
        for channel in ("sms", "wechat")
    ],
]

SMS_KEYS = [key for key in DEFAULT_TEMPLATES if key[2] == "sms"]
WECHAT_KEYS = [key for key in DEFAULT_TEMPLATES if key[2] == "wechat"]


def test_every_required_notification_has_a_default():
    assert sorted(DEFAULT_TEMPLATES) == sorted(EXPECTED)


@pytest.mark.parametrize("key", SMS_KEYS, ids="/".join)
def test_sms_default_renders_within_provider_limits(key):
    rendered = render_sms(default_template(*key), EVENT)

    assert rendered.text.startswith("【文山接诉即办】")
    assert "${" not in rendered.text and "{{" not in rendered.text
    assert rendered.params, "every notification carries at least one parameter"
    assert all(0 < len(value) <= SMS_PARAM_LIMIT for value in rendered.params.values())
    assert all(value in rendered.text for value in rendered.params.values())
    assert rendered.segments <= 2


@pytest.mark.parametrize(
    "key", [k for k in SMS_KEYS if k[0] != "auth.code_requested"], ids="/".join
)
def test_ticket_sms_names_the_ticket(key):
    assert TICKET in render_sms(default_template(*key), EVENT).text


@pytest.mark.parametrize("key", WECHAT_KEYS, ids="/".join)
def test_wechat_default_renders_within_subscribe_limits(key):
    rendered = render_wechat(default_template(*key), EVENT)

    assert rendered.page.endswith(f"?number={TICKET}")
    assert rendered.data["character_string1"] == TICKET
    for field, value in rendered.data.items():
        limit = WECHAT_LIMITS.get(field.rstrip("0123456789"))
        assert value and (limit is None or len(value) <= limit), (field, value)


def test_verification_code_sms_reads_as_expected():
    rendered = render_sms(default_template("auth.code_requested", "citizen", "sms"), EVENT)

    assert rendered.text == "【文山接诉即办】您的验证码为482913，5分钟内有效，请勿泄露给他人。"
    assert rendered.params == {"code": "482913"}
    assert rendered.template_code == "SMS_AUTH_CODE"


def test_long_parameters_are_cut_with_an_ellipsis_in_params_and_text():
    rendered = render_sms(default_template("ticket.rejected", "citizen", "sms"), EVENT)

    assert rendered.params["reason"] == "该事项已进入司法诉讼程序，依规不予受理…"
    assert len(rendered.params["reason"]) == SMS_PARAM_LIMIT
    assert "原因：该事项已进入司法诉讼程序，依规不予受理…。" in rendered.text


def test_params_follow_placeholder_order_for_positional_providers():
    template = SmsTemplate("T", "${unit}申请将工单${number}延期至${deadline}", {
        "number": "{{ ticket_number }}", "deadline": "{{ deadline | dt }}",
        "unit": "{{ unit_name }}",
    })  # fmt: skip

    rendered = render_sms(template, EVENT)

    assert list(rendered.params) == ["unit", "number", "deadline"]
    assert rendered.params["deadline"] == "3月10日17:30"


def test_line_breaks_in_event_text_do_not_reach_parameters():
    template = default_template("ticket.replied", "citizen", "sms")

    rendered = render_sms(template, {**EVENT, "reply": "已清运\n  明日复查"})

    assert rendered.params["reply"] == "已清运 明日复查"


def test_rendered_sms_becomes_a_provider_message():
    rendered = render_sms(default_template("ticket.accepted", "citizen", "sms"), EVENT)

    message = rendered.message("13812341234")

    assert (message.phone, message.template_code) == ("13812341234", "SMS_TICKET_ACCEPTED")
    assert message.params == {"number": TICKET}
    assert message.text == rendered.text and message.sign_name == "文山接诉即办"


def test_missing_event_data_fails_loudly():
    template = default_template("ticket.assigned", "handler", "sms")

    with pytest.raises(UndefinedError):
        render_sms(template, {"ticket_number": TICKET})


def test_templates_cannot_reach_python_internals():
    template = WechatTemplate(
        "T", "p", {"thing1": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}
    )

    with pytest.raises(SecurityError):
        render_wechat(template, EVENT)


def test_template_with_unmapped_placeholder_is_refused():
    with pytest.raises(ValueError, match="placeholders"):
        SmsTemplate("T", "工单${number}，原因：${reason}", {"number": "{{ ticket_number }}"})


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_sms_segments_follow_the_70_then_67_rule(length, segments):
    assert sms_segments("字" * length) == segments


def test_signature_counts_towards_the_segment_length():
    body = "工" * 62
    template = SmsTemplate("T", body + "${code}", {"code": "{{ code }}"})

    rendered = render_sms(template, {"code": "1"})

    assert len(body) + 1 <= 70 and len(rendered.text) == 71
    assert rendered.segments == 2


@pytest.mark.parametrize(
    ("span", "text"),
    [(40 * 60, "40分钟"), (7500, "2小时5分钟"), (3 * 3600, "3小时"),
     (timedelta(days=2), "2天"), (timedelta(days=1, hours=1, minutes=5), "1天1小时"), (-30, "0分钟")],
)  # fmt: skip
def test_durations_read_naturally(span, text):
    assert format_duration(span) == text


def test_times_are_shown_in_beijing_time():
    assert format_short_time("2025-12-31T16:30:00+00:00") == "1月1日00:30"


@pytest.mark.parametrize("kind", ["ticket.accepted", "ticket.info_requested", "ticket.replied", "ticket.resolved"])
def test_citizen_sms_links_to_the_tickets_h5_page(kind):
    rendered = render_sms(default_template(kind, "citizen", "sms"), EVENT)

    assert rendered.text.endswith(f"https://12345.example.gov.cn/m/tickets/{TICKET}")
    assert "{site_url}" not in rendered.text and rendered.params["number"] == TICKET
