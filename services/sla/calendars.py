"""The calendar as admins corrected it: overrides in Postgres over the `holidays` library."""

from collections.abc import Iterable
from datetime import date, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.core.calendar_store import CalendarYearLoaded, read_calendar, replace_year
from services.core.problems import field_error
from services.core.workdays import Calendar
from services.sla.events import OUTBOX
from services.sla.models import calendar_overrides, calendar_years

log = structlog.get_logger()
# A notice may reach into the neighbouring months (e.g. a 调休 Sunday before New Year).
MARGIN = timedelta(days=31)
_announced: set[int] = set()


async def load(session: AsyncSession) -> Calendar:
    """The working calendar with every override admins loaded (re-read every few seconds)."""
    return await _cached.get(session)


async def _read(session: AsyncSession) -> Calendar:
    return await read_calendar(session, calendar_overrides, calendar_years)


_cached = Cached(_read)


def note_estimated(years: Iterable[int]) -> None:
    """Log, once per process and year, that a result relies on an estimated calendar year."""
    for year in years:
        if year not in _announced:
            _announced.add(year)
            log.warning("sla.calendar.estimated_year", year=year,
                        hint=f"国务院尚未发布或未导入 {year} 年放假安排，期限按估算日历计算")


def check_notice(year: int, holidays: list[date], workdays: list[date]) -> None:
    """422 naming the field when a notice's dates cannot be right."""
    first, last = date(year, 1, 1) - MARGIN, date(year, 12, 31) + MARGIN
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        for index, day in enumerate(days):
            if not first <= day <= last:
                raise field_error(f"{field}.{index}", f"{day} 不在 {year} 年的放假安排范围内")
            if day in days[:index]:
                raise field_error(f"{field}.{index}", f"{day} 重复出现")
    for index, day in enumerate(workdays):
        if day.weekday() < 5:
            raise field_error(f"workdays.{index}", f"{day} 是工作日（周一至周五），无需调休上班")
    if clash := sorted(set(holidays) & set(workdays)):
        raise field_error("workdays", f"{clash[0]} 同时出现在放假日和调休上班日中")


async def save_notice(session: AsyncSession, year: int, *, holidays: list[date],
                      workdays: list[date], by: str, note: str | None = None) -> None:
    """Replace a year's published schedule and mark the year covered by it."""
    check_notice(year, holidays, workdays)
    _cached.changed(session)
    notice = CalendarYearLoaded(year=year, holidays=holidays, workdays=workdays)
    await replace_year(session, calendar_overrides, calendar_years, notice, loaded_by=by, note=note)
    await OUTBOX.stage(session, notice)  # intake counts its 退件 window on the same calendar
    log.info("sla.calendar.loaded", year=year, holidays=len(holidays), workdays=len(workdays), by=by)


async def describe_year(session: AsyncSession, year: int) -> dict:
    """A year as the platform counts it: days off on weekdays, workdays on weekends, its source."""
    calendar = await load(session)
    loaded = (await session.execute(
        select(calendar_years).where(calendar_years.c.year == year))).mappings().first()
    days = _days_of(year)
    estimated = calendar.is_estimated(year)
    if estimated:
        note_estimated([year])
    return {
        "year": year,
        "source": "notice" if loaded else ("estimated" if estimated else "library"),
        "estimated": estimated,
        "holidays": [d for d in days if d.weekday() < 5 and not calendar.is_working_day(d)],
        "workdays": [d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)],
        "working_days": sum(1 for d in days if calendar.is_working_day(d)),
        "loaded_at": loaded["loaded_at"] if loaded else None,
        "loaded_by": loaded["loaded_by"] if loaded else None,
        "note": loaded["note"] if loaded else None,
    }


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
