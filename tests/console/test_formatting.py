"""Countdowns and times as people read them: working days on the official calendar, Beijing time."""

from datetime import UTC, datetime

from services.console.formatting import countdown, span
from services.core.pages import beijing
from services.core.workdays import Calendar

CALENDAR = Calendar()
# Friday 2026-11-27 09:00 Beijing time; the weekend counts no working time.
FRIDAY_9 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_working_time_left_counts_days_and_hours():
    assert span(86400 + 3 * 3600, working=True) == "1 个工作日 3 小时"
    assert span(5 * 3600 + 20 * 60, working=False) == "5 小时 20 分"
    assert span(30, working=False) == "1 分钟"


def test_a_completion_deadline_over_the_weekend_is_a_working_day_and_hours_away():
    due = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # Monday 12:00 Beijing
    left = countdown({"status": "in_progress", "completion_due": due.isoformat()}, CALENDAR,
                     now=FRIDAY_9)
    assert left == {"text": "办结剩余 1 个工作日 3 小时", "state": "normal",
                    "css": "sla-normal", "due": "2026-11-30 12:00"}


def test_before_signing_the_response_clock_counts_clock_hours():
    due = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
    left = countdown({"status": "assigned", "response_due": due.isoformat(),
                      "completion_due": "2026-12-04T01:00:00+00:00"}, CALENDAR, now=FRIDAY_9)
    assert left["text"] == "签收剩余 5 小时 30 分"


def test_amber_after_the_warning_and_red_when_overdue():
    due = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    warned = countdown({"status": "in_progress", "completion_due": due.isoformat(),
                        "sla_state": "warning"}, CALENDAR, now=FRIDAY_9)
    assert (warned["state"], warned["css"]) == ("warning", "sla-warning")
    late = countdown({"status": "in_progress", "completion_due": due.isoformat()}, CALENDAR,
                     now=datetime(2026, 11, 27, 5, 0, tzinfo=UTC))
    assert late["text"] == "办结超期 2 小时" and late["css"] == "sla-overdue"


def test_no_clock_no_countdown():
    assert countdown({"status": "submitted"}, CALENDAR) is None


def test_times_print_in_beijing_to_the_minute():
    assert beijing("2026-12-01T01:30:59.123456+00:00") == "2026-12-01 09:30"
