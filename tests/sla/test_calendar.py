from datetime import UTC, date, datetime, timedelta

import pytest

from services.core.workdays import (
    TZ,
    Calendar,
    CalendarOverrides,
    add_working_seconds,
    deadline,
    is_working_day,
    working_seconds_between,
)

HOUR = 3600
DAY = 24 * HOUR


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_five_working_days_skip_national_day():
    result = deadline(at(2026, 9, 30, 10), working_days=5)
    assert result.at == at(2026, 10, 13, 10)
    assert not result.estimated


def test_start_on_holiday_counts_from_next_workday_midnight():
    assert deadline(at(2026, 10, 2, 15), working_days=5).at == at(2026, 10, 14)


def test_make_up_saturday_is_a_workday():
    assert is_working_day(date(2026, 10, 10))
    assert is_working_day(date(2026, 9, 20))


@pytest.mark.parametrize("day", range(1, 8))
def test_national_day_week_is_off(day):
    assert not is_working_day(date(2026, 10, day))


def test_normal_weekend_is_off():
    assert is_working_day(date(2026, 10, 16))
    assert not is_working_day(date(2026, 10, 17))
    assert not is_working_day(date(2026, 10, 18))
    assert deadline(at(2026, 10, 16, 10), working_days=1).at == at(2026, 10, 19, 10)


def test_deadline_at_end_of_a_workday_is_that_midnight():
    assert deadline(at(2026, 10, 16), working_days=1).at == at(2026, 10, 17)


def test_is_working_day_reads_datetimes_in_shanghai():
    assert not is_working_day(datetime(2026, 9, 30, 17, tzinfo=UTC))  # Oct 1, 01:00 local


def test_override_holiday_moves_deadline():
    overrides = CalendarOverrides.from_mapping({date(2026, 10, 9): False})
    result = deadline(at(2026, 9, 30, 10), working_days=5, overrides=overrides)
    assert result.at == at(2026, 10, 14, 10)


def test_override_workday_on_a_sunday():
    overrides = CalendarOverrides(workdays=frozenset({date(2026, 10, 18)}))
    assert Calendar(overrides).is_working_day(date(2026, 10, 18))
    assert not is_working_day(date(2026, 10, 18))


def test_deadline_crossing_into_estimated_year():
    result = deadline(at(2026, 12, 30, 10), working_days=5)
    assert result.at == at(2027, 1, 7, 10)  # 2027-01-01 off, then a weekend
    assert result.estimated
    assert result.estimated_years == (2027,)


def test_overrides_covering_a_year_remove_the_estimate():
    published = CalendarOverrides.from_mapping(
        {date(2027, 1, 1): False, date(2027, 1, 4): False}, covered_years={2027}
    )
    result = deadline(at(2026, 12, 30, 10), working_days=5, overrides=published)
    assert result.at == at(2027, 1, 8, 10)
    assert not result.estimated


def test_covered_year_follows_only_the_published_schedule():
    # Library guesses 2027-10-04 as an observed day off; the published notice says otherwise.
    published = CalendarOverrides(covered_years=frozenset({2027}))
    assert not is_working_day(date(2027, 10, 4))
    assert Calendar(published).is_working_day(date(2027, 10, 4))


def test_official_and_estimated_years():
    calendar = Calendar()
    assert not calendar.is_estimated(2026)
    assert calendar.is_estimated(2027)


def test_working_seconds_between_skips_the_holiday():
    assert working_seconds_between(at(2026, 9, 30, 12), at(2026, 10, 8, 12)) == DAY
    assert working_seconds_between(at(2026, 10, 2), at(2026, 10, 5, 9)) == 0


def test_working_seconds_between_across_years_and_backwards():
    a, b = at(2026, 12, 31, 18), at(2027, 1, 4, 6)
    assert working_seconds_between(a, b) == 12 * HOUR
    assert working_seconds_between(b, a) == -12 * HOUR


def test_add_working_seconds_round_trips():
    start = at(2026, 9, 28, 7, 30)
    for seconds in (1, 90 * 60, DAY, 5 * DAY + 17, 300 * DAY):
        end = add_working_seconds(start, seconds).at
        assert working_seconds_between(start, end) == seconds


def test_add_nothing_returns_start_in_shanghai():
    start = datetime(2026, 10, 2, 7, tzinfo=UTC)
    result = add_working_seconds(start, 0)
    assert result.at == start and result.at.tzinfo == TZ


def test_other_timezones_are_converted():
    result = deadline(datetime(2026, 9, 30, 2, tzinfo=UTC), working_days=5)
    assert result.at == at(2026, 10, 13, 10)
    assert result.at.utcoffset() == timedelta(hours=8)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        deadline(datetime(2026, 9, 30, 10), working_days=5)
    with pytest.raises(ValueError):
        working_seconds_between(at(2026, 9, 30), datetime(2026, 10, 1))


def test_hours_mode_ignores_holidays():
    result = deadline(at(2026, 10, 1, 10), hours=24)
    assert result.at == at(2026, 10, 2, 10)
    assert not deadline(at(2027, 10, 1, 10), hours=1).estimated


def test_deadline_needs_exactly_one_amount():
    with pytest.raises(ValueError):
        deadline(at(2026, 9, 30), working_days=1, hours=1)
    with pytest.raises(ValueError):
        deadline(at(2026, 9, 30))


def test_contradictory_overrides_are_refused():
    with pytest.raises(ValueError):
        CalendarOverrides(
            workdays=frozenset({date(2026, 1, 5)}), holidays=frozenset({date(2026, 1, 5)})
        )
