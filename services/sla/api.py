"""sla's HTTP routes for the calendar, the policies and a ticket's clocks; thin by design."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import AwareDatetime

from services.core.auth import Role, require
from services.core.deps import CallerDep, SessionDep
from services.core.problems import field_error
from services.sla import access, calendars, policies, views
from services.sla.reports import YEARS
from services.sla.schemas import (
    CalendarNoticeIn,
    CalendarYearOut,
    DeadlineOut,
    PoliciesIn,
    PoliciesOut,
    TicketSlaOut,
)

router = APIRouter(prefix="/v1")
Year = Annotated[int, Path(ge=YEARS[0], le=YEARS[1], description="年份")]
TicketRef = Annotated[str, Path(max_length=36, pattern=r"^[0-9A-Za-z-]+$", description="工单编号或 ID")]


@router.get("/calendar/deadline", response_model=DeadlineOut, tags=["calendar"])
async def deadline(
    session: SessionDep, principal: CallerDep,
    start: Annotated[AwareDatetime, Query(description="起算时间（ISO 8601，带时区）")],
    working_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
    hours: Annotated[float | None, Query(ge=0, le=87600)] = None,
):
    """The deadline after N working days (official calendar) or N clock hours."""
    access.staff(principal)
    if not YEARS[0] <= start.year <= YEARS[1]:
        raise field_error("start", f"年份应在 {YEARS[0]} 至 {YEARS[1]} 之间")
    if (working_days is None) == (hours is None):
        raise field_error("working_days", "working_days 与 hours 须且只能填写其一")
    calendar = await calendars.load(session)
    result = calendar.deadline(start, working_days=working_days, hours=hours)
    calendars.note_estimated(result.estimated_years)
    return {"start": start, "deadline": result.at, "working_days": working_days, "hours": hours,
            "estimated": result.estimated, "estimated_years": list(result.estimated_years)}


@router.get("/calendar/{year}", response_model=CalendarYearOut, tags=["calendar"])
async def calendar_year(year: Year, session: SessionDep, principal: CallerDep):
    """A year as the platform counts it: holidays on weekdays, 调休 workdays, and the source."""
    access.staff(principal)
    return await calendars.describe_year(session, year)


@router.put("/calendar/{year}", response_model=CalendarYearOut, tags=["calendar"])
async def load_calendar(year: Year, body: CalendarNoticeIn, session: SessionDep, principal: CallerDep):
    """Load the State Council's schedule of a year; the year then follows only this notice."""
    require(principal, Role.admin)
    await calendars.save_notice(session, year, holidays=body.holidays, workdays=body.workdays,
                                by=principal.subject, note=body.note)
    return await calendars.describe_year(session, year)


@router.get("/policies", response_model=PoliciesOut, tags=["policies"])
async def get_policies(session: SessionDep, principal: CallerDep):
    """The time limits per clock and time class, and the satisfaction weights."""
    access.staff(principal)
    return await _policies(session)


@router.put("/policies", response_model=PoliciesOut, tags=["policies"])
async def put_policies(body: PoliciesIn, session: SessionDep, principal: CallerDep):
    """Change time limits (for clocks started from now on) and the satisfaction weights."""
    require(principal, Role.admin)
    await policies.save(session, [row.model_dump() for row in body.clocks], by=principal.subject)
    if body.satisfaction_weights is not None:
        await policies.save_weights(session, body.satisfaction_weights.model_dump(), by=principal.subject)
    return await _policies(session)


async def _policies(session) -> dict:
    table = await policies.load(session)
    rows = [{"clock": clock, "sla_class": sla_class, **row} for (clock, sla_class), row in sorted(table.items())]
    return {"clocks": rows, "satisfaction_weights": await policies.weights(session)}


@router.get("/tickets/{ticket}/sla", response_model=TicketSlaOut, tags=["tickets"])
async def ticket_sla(ticket: TicketRef, session: SessionDep, principal: CallerDep, request: Request):
    """A ticket's clocks: deadlines, time left, state, warnings sent."""
    rows = await views.ticket_clocks(session, ticket)
    if not rows:
        raise access.NOT_FOUND
    region = await views.ticket_region(session, rows[0]["ticket_id"]) or rows[0]["region_code"]
    if not access.can_read_ticket(principal, region, {row["unit_code"] for row in rows}):
        raise access.NOT_FOUND
    calendar = await calendars.load(session)
    return views.ticket_view(calendar, rows, region, request.app.state.now())
