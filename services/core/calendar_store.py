"""The working calendar as a service keeps it in its own schema: the State Council notices
admins load into sla (`calendar-load`), which sla announces as `calendar.year_loaded` so every
service that counts working days counts them the same way.

Tables: `calendar_overrides` (day → workday or not, and the notice's year) and
`calendar_years` (the years a notice covers). sla writes them from the notice; others from
the event. Replacing a year is idempotent: a redelivered event changes nothing.
"""

from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.events import Event
from services.core.workdays import Calendar, CalendarOverrides, calendar_for


class CalendarYearLoaded(Event):
    """An admin loaded a year's notice into sla: its weekday holidays and weekend workdays."""

    type = "calendar.year_loaded"
    year: int
    holidays: list[date]
    workdays: list[date]


def calendar_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The two tables of a service that learns the calendar from sla's events."""
    overrides = Table(
        "calendar_overrides", metadata,
        Column("day", Date, primary_key=True),
        Column("is_workday", Boolean, nullable=False),
        Column("year", Integer, nullable=False, index=True),
    )
    years = Table(
        "calendar_years", metadata,
        Column("year", Integer, primary_key=True),
        Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return overrides, years


async def read_calendar(session: AsyncSession, overrides: Table, years: Table) -> Calendar:
    """The official calendar corrected by every notice these tables hold."""
    days = dict((await session.execute(select(overrides.c.day, overrides.c.is_workday))).all())
    covered = (await session.scalars(select(years.c.year))).all()
    if not days and not covered:
        return calendar_for(None)
    return calendar_for(CalendarOverrides.from_mapping(days, covered))


async def replace_year(session: AsyncSession, overrides: Table, years: Table, notice: CalendarYearLoaded,
                       **year_values) -> None:
    """Make a year's days those of its notice and mark the year covered."""
    await session.execute(delete(overrides).where(overrides.c.year == notice.year))
    rows = [{"day": d, "is_workday": False, "year": notice.year} for d in notice.holidays]
    rows += [{"day": d, "is_workday": True, "year": notice.year} for d in notice.workdays]
    if rows:
        statement = insert(overrides).values(rows)
        await session.execute(statement.on_conflict_do_update(
            index_elements=["day"],
            set_={"is_workday": statement.excluded.is_workday, "year": statement.excluded.year}))
    statement = insert(years).values(year=notice.year, **year_values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["year"], set_={**year_values, "loaded_at": func.now()}))
