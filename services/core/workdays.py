"""Working-time arithmetic on the official Chinese calendar (Asia/Shanghai), for every service.

A working day counts as a full 24 hours (00:00–24:00 local time); other days count
nothing. Holidays and 调休 make-up workdays come from the `holidays` library, corrected
by admin-loaded `CalendarOverrides`. Years the library only estimates still compute,
but results touching them are flagged so callers can show "provisional".
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.china import ChinaStaticHolidays

TZ = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)

# The library lists State Council 调休 notices per year; later years are rule-based guesses.
_NOTICES = ChinaStaticHolidays.special_public_holidays
OFFICIAL_YEARS = range(min(_NOTICES), max(_NOTICES) + 1)


@dataclass(frozen=True)
class CalendarOverrides:
    """Admin corrections: forced workdays, forced holidays, and fully published years."""

    workdays: frozenset[date] = frozenset()
    holidays: frozenset[date] = frozenset()
    covered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if clash := self.workdays & self.holidays:
            raise ValueError(f"dates both workday and holiday: {sorted(clash)}")

    @classmethod
    def from_mapping(
        cls, days: Mapping[date, bool], covered_years: Iterable[int] = ()
    ) -> CalendarOverrides:
        """Build from a date -> is_workday mapping, as stored in the overrides table."""
        return cls(
            workdays=frozenset(d for d, work in days.items() if work),
            holidays=frozenset(d for d, work in days.items() if not work),
            covered_years=frozenset(covered_years),
        )


@dataclass(frozen=True)
class Deadline:
    """A computed instant, flagged when it relies on an estimated calendar year."""

    at: datetime
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        """True when some year on the way has no official schedule yet."""
        return bool(self.estimated_years)


@dataclass(frozen=True)
class _Year:
    workdays: tuple[int, ...]  # sorted date ordinals, for bisecting
    workday_set: frozenset[int]
    estimated: bool


class Calendar:
    """Working-day calendar: library data plus overrides, cached per year."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides or CalendarOverrides()
        self._years: dict[int, _Year] = {}

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a date, or an aware datetime read in Asia/Shanghai) is a workday."""
        if isinstance(day, datetime):
            day = to_local(day).date()
        return day.toordinal() in self._year(day.year).workday_set

    def is_estimated(self, year: int) -> bool:
        """Whether `year` has neither an official library schedule nor full overrides."""
        return self._year(year).estimated

    def estimated_years(self, a: datetime, b: datetime) -> tuple[int, ...]:
        """The estimated years between two instants (inclusive, either order)."""
        first, last = sorted((to_local(a).year, to_local(b).year))
        return tuple(y for y in range(first, last + 1) if self.is_estimated(y))

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds from `a` to `b`; negative when `b` is before `a`."""
        start, end = to_local(a), to_local(b)
        if end < start:
            return -self.working_seconds_between(b, a)
        elapsed = self._worked_in_year(end) - self._worked_in_year(start)
        for year in range(start.year, end.year):
            elapsed += len(self._year(year).workdays) * DAY
        return elapsed.total_seconds()

    def add_working_seconds(self, start: datetime, seconds: float) -> Deadline:
        """The first instant at which `seconds` of working time have passed since `start`."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        local = to_local(start)
        amount = timedelta(seconds=seconds)
        at = self._reach(local, self._worked_in_year(local) + amount) if amount else local
        return Deadline(at, self.estimated_years(local, at))

    def deadline(
        self,
        start: datetime,
        *,
        working_days: float | None = None,
        hours: float | None = None,
    ) -> Deadline:
        """Deadline after N working days (calendar-aware) or N wall-clock hours."""
        if (working_days is None) == (hours is None):
            raise ValueError("give exactly one of working_days or hours")
        if hours is not None:
            if hours < 0:
                raise ValueError("hours must not be negative")
            return Deadline(to_local(start) + timedelta(hours=hours))
        return self.add_working_seconds(start, working_days * DAY.total_seconds())

    def _worked_in_year(self, moment: datetime) -> timedelta:
        """Working time from Jan 1 00:00 of the moment's year up to the moment."""
        year = self._year(moment.year)
        ordinal = moment.date().toordinal()
        worked = bisect_left(year.workdays, ordinal) * DAY
        if ordinal in year.workday_set:
            worked += moment - datetime.combine(moment.date(), time(), moment.tzinfo)
        return worked

    def _reach(self, local: datetime, target: timedelta) -> datetime:
        """The first instant whose working time since local's Jan 1 equals a positive target."""
        full_days, rest = target.days, target - timedelta(days=target.days)
        if rest:
            return datetime.combine(self._nth_workday(local.year, full_days), time(), TZ) + rest
        # Reaching the target at 24:00 of a workday: that midnight, not the next workday's.
        return datetime.combine(self._nth_workday(local.year, full_days - 1) + DAY, time(), TZ)

    def _nth_workday(self, year: int, n: int) -> date:
        """The n-th (0-based) workday counted from Jan 1 of `year`, spilling into later years."""
        workdays = self._year(year).workdays
        while n >= len(workdays):
            n -= len(workdays)
            year += 1
            workdays = self._year(year).workdays
        return date.fromordinal(workdays[n])

    def _year(self, year: int) -> _Year:
        if year not in self._years:
            self._years[year] = self._build_year(year)
        return self._years[year]

    def _build_year(self, year: int) -> _Year:
        covered = year in self.overrides.covered_years
        # A fully covered year is the published notice itself: Mon–Fri plus its exceptions.
        is_base_workday = _is_weekday if covered else _library_calendar(year).is_working_day
        days = (date(year, 1, 1) + timedelta(days=i) for i in range(_days_in(year)))
        ordinals = tuple(d.toordinal() for d in days if self._apply_overrides(d, is_base_workday))
        estimated = not covered and year not in OFFICIAL_YEARS
        return _Year(ordinals, frozenset(ordinals), estimated)

    def _apply_overrides(self, day: date, is_base_workday: Callable[[date], bool]) -> bool:
        if day in self.overrides.workdays:
            return True
        return day not in self.overrides.holidays and is_base_workday(day)


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to Asia/Shanghai; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime")
    return moment.astimezone(TZ)


def _library_calendar(year: int) -> holidays.HolidayBase:
    # Public holidays only: the HALF_DAY category (e.g. 妇女节) is not a day off for offices.
    return holidays.China(years=year, expand=False)


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


def _days_in(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


DEFAULT = Calendar()


@functools.lru_cache(maxsize=16)
def calendar_for(overrides: CalendarOverrides | None = None) -> Calendar:
    """A shared, cached Calendar for these overrides (the default one for None)."""
    return DEFAULT if overrides is None else Calendar(overrides)


def is_working_day(day: date, overrides: CalendarOverrides | None = None) -> bool:
    """Whether `day` is a working day; see `Calendar.is_working_day`."""
    return calendar_for(overrides).is_working_day(day)


def working_seconds_between(
    a: datetime, b: datetime, overrides: CalendarOverrides | None = None
) -> float:
    """Working seconds from `a` to `b`; see `Calendar.working_seconds_between`."""
    return calendar_for(overrides).working_seconds_between(a, b)


def add_working_seconds(
    start: datetime, seconds: float, overrides: CalendarOverrides | None = None
) -> Deadline:
    """Instant after `seconds` of working time; see `Calendar.add_working_seconds`."""
    return calendar_for(overrides).add_working_seconds(start, seconds)


def deadline(
    start: datetime,
    *,
    working_days: float | None = None,
    hours: float | None = None,
    overrides: CalendarOverrides | None = None,
) -> Deadline:
    """Deadline after N working days or N clock hours; see `Calendar.deadline`."""
    return calendar_for(overrides).deadline(start, working_days=working_days, hours=hours)
