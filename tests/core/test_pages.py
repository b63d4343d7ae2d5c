"""The filters every printed page shares: Beijing time to the minute, names, never a crash."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.core import pages
from services.core.names import Names


@pytest.mark.parametrize(("value", "printed"), [
    (datetime(2026, 12, 1, 1, 30, 59, 123456, tzinfo=UTC), "2026-12-01 09:30"),
    ("2026-11-30T17:05:00.999999+00:00", "2026-12-01 01:05"),
    ("2026-11-30T17:05:00Z", "2026-12-01 01:05"),
    (datetime(2026, 12, 1, 1, 30), "2026-12-01 09:30"),  # naive: stored UTC
    (date(2026, 12, 1), "2026-12-01"),
    (None, "—"),
    ("not a time", "not a time"),
])
def test_instants_print_in_beijing_to_the_minute(value, printed):
    assert pages.beijing(value) == printed


def test_dates_are_beijing_dates():
    assert pages.beijing_date(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == "2026-12-01"
    assert pages.beijing_date(date(2026, 12, 1)) == "2026-12-01"


def test_labels_fall_back_to_the_code():
    label = pages.labels({"hotline": "12345热线"})
    assert (label("hotline"), label("fax"), label(None)) == ("12345热线", "fax", "—")


def test_names_fall_back_to_the_code(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "{{ 'a' | unit }}|{{ 'b' | unit }}|{{ 'c' | category }}|{{ 'd' | category }}|"
        "{{ none | category }}|{{ '532622' | region }}|{{ '532699' | region }}|{{ none | unit }}")
    env = pages.environment(tmp_path)
    names = Names(units={"a": "甲单位", "532622": "砚山县"}, categories={"c": "丙类"},
                  regions={"532622": "砚山县"})
    assert env.get_template("page.html").render(names=names) == (
        "甲单位|b|丙类|d|未分类|砚山县|532699|—")
    assert env.get_template("page.html").render() == "a|b|c|d|未分类|532622|532699|—"
