"""The calendar as admins corrected it: overrides in Postgres over the `holidays` library."""

from collections.abc import Iterable
from datetime import date, timedelta

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.core.problems import field_error
from services.core.workdays import Calendar, CalendarOverrides, calendar_for
from services.sla.models import calendar_overrides, calendar_years

log = structlog.get_logger()
# A notice may reach into the neighbouring months (e.g. a 调休 Sunday before New Year).
MARGIN = timedelta(days=31)
_announced: set[int] = set()


async def load(session: AsyncSession) -> Calendar:
    """The working calendar with every override admins loaded (re-read every few seconds)."""
    return await _cached.get(session)


async def _read(session: AsyncSession) -> Calendar:
    days = dict((await session.execute(
        select(calendar_overrides.c.day, calendar_overrides.c.is_workday))).all())
    covered = (await session.scalars(select(calendar_years.c.year))).all()
    if not days and not covered:
        return calendar_for(None)
    return calendar_for(CalendarOverrides.from_mapping(days, covered))


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
    await session.execute(delete(calendar_overrides).where(calendar_overrides.c.year == year))
    rows = [{"day": d, "is_workday": False, "year": year} for d in holidays]
    rows += [{"day": d, "is_workday": True, "year": year} for d in workdays]
    if rows:
        statement = insert(calendar_overrides).values(rows)
        await session.execute(statement.on_conflict_do_update(
            index_elements=["day"],
            set_={"is_workday": statement.excluded.is_workday, "year": statement.excluded.year}))
    statement = insert(calendar_years).values(year=year, loaded_by=by, note=note)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["year"], set_={"loaded_by": by, "note": note, "loaded_at": func.now()}))
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
