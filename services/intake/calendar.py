"""The working calendar intake counts by (the 退件 window): sla's, as its admins loaded it."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.core.calendar_store import CalendarYearLoaded, read_calendar, replace_year
from services.core.events import Envelope
from services.core.workdays import Calendar
from services.intake.models import calendar_overrides, calendar_years


async def _read(session: AsyncSession) -> Calendar:
    return await read_calendar(session, calendar_overrides, calendar_years)


_cached = Cached(_read)


async def load(session: AsyncSession) -> Calendar:
    """The official calendar with every notice sla has announced."""
    return await _cached.get(session)


async def on_year_loaded(session: AsyncSession, envelope: Envelope) -> None:
    """sla loaded a year's notice: count that year's working days by it from now on."""
    notice = CalendarYearLoaded.model_validate(envelope.data)
    _cached.changed(session)
    await replace_year(session, calendar_overrides, calendar_years, notice)
