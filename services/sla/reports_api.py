"""sla's HTTP routes for the rates and the weekly and monthly reports."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from services.core.deps import CallerDep, SessionDep
from services.core.problems import field_error
from services.core.workdays import TZ
from services.sla import labels, reports, stats
from services.sla.access import stats_scope
from services.sla.schemas import NO_NUL
from services.sla.stats import Period

router = APIRouter(prefix="/v1")
MAX_DAYS = 366 * 3
# The years the working calendar and the reports cover.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
Unit = Annotated[str | None, Query(max_length=40, pattern=NO_NUL, description="单位代码")]
Day = Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY)]
Region = Annotated[str | None, Query(pattern=r"^\d{6}$", description="县（市）或州的行政区划代码")]


@router.get("/stats", tags=["stats"])
async def get_stats(
    session: SessionDep, principal: CallerDep, request: Request, unit: Unit = None,
    region: Region = None,
    from_: Annotated[Day, Query(alias="from", description="起始日期（含，2000 至 2100 年）")] = None,
    to: Annotated[Day, Query(description="截止日期（含，2000 至 2100 年）")] = None,
):
    """响应率, 按时办结率, 解决率, 满意率 and the counts, per unit and per county."""
    scope = stats_scope(principal, unit, region)
    today = request.app.state.now().astimezone(TZ).date()
    last = to or today
    first = from_ or last - timedelta(days=29)
    if first > last:
        raise field_error("from", "起始日期不能晚于截止日期")
    if (last - first).days > MAX_DAYS:
        raise field_error("from", f"统计时段不能超过 {MAX_DAYS} 天")
    period = Period(reports.local_day(first), reports.local_day(last + timedelta(days=1)),
                    f"{first}/{last}")
    return await stats.compute(session, scope, period)


def _wants_html(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "html"
    return "text/html" in request.headers.get("accept", "")


async def _report(session, principal, request, period: Period, kind: str, unit, region, format):
    scope = stats_scope(principal, unit, region)
    names = await labels.load(session)
    report = await reports.build(session, scope, period, kind, names)
    if _wants_html(request, format):
        return HTMLResponse(reports.render_html(report, names))
    return report


Format = Annotated[str | None, Query(pattern="^(json|html)$", description="json（默认）或 html")]


@router.get("/reports/weekly", tags=["stats"])
async def weekly(session: SessionDep, principal: CallerDep, request: Request,
                 week: Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$",
                                                   description="ISO 周，如 2026-W47")] = None,
                 unit: Unit = None, region: Region = None, format: Format = None):
    """周报: hot categories and places, the rates per county, the worst units (JSON or HTML)."""
    if week is None:
        year, number, _ = request.app.state.now().astimezone(TZ).isocalendar()
        week = f"{year}-W{number:02d}"
    return await _report(session, principal, request, reports.week_period(week), "weekly",
                         unit, region, format)


@router.get("/reports/monthly", tags=["stats"])
async def monthly(session: SessionDep, principal: CallerDep, request: Request,
                  month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$",
                                                    description="年月，如 2026-11")] = None,
                  unit: Unit = None, region: Region = None, format: Format = None):
    """月报: the same analysis over a calendar month (JSON or HTML)."""
    month = month or f"{request.app.state.now().astimezone(TZ):%Y-%m}"
    return await _report(session, principal, request, reports.month_period(month), "monthly",
                         unit, region, format)
