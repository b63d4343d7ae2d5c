"""Weekly and monthly analysis: hot categories and places, the rates, the worst units."""

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import pages
from services.core.names import Names
from services.core.problems import field_error
from services.core.workdays import TZ
from services.sla import stats
from services.sla.access import Scope
from services.sla.stats import Period, scope_filters

TOP = 10
YEARS = (2000, 2100)  # the years the working calendar and the reports cover
WORST = 5
RATES = ("response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate")
TICKETS_SQL = "FROM sla.tickets t WHERE created_at >= :start AND created_at < :end {filters}"
TOP_SQL = "SELECT {group} AS key, {extra} count(*) AS count {tickets} GROUP BY 1 ORDER BY count DESC, 1 LIMIT :top"
UNIT_TICKETS = (" AND EXISTS (SELECT 1 FROM sla.clocks c WHERE c.ticket_id = t.ticket_id"
                " AND c.unit_code = :unit)")


def local_day(day: date) -> datetime:
    """Midnight of a day in Asia/Shanghai."""
    return datetime.combine(day, time(), TZ)


def _year(digits: str) -> int:
    """A report's year, refused (ValueError) outside the years the calendar covers."""
    if not YEARS[0] <= int(digits) <= YEARS[1]:
        raise ValueError(digits)
    return int(digits)


def week_period(week: str) -> Period:
    """2026-W47 → Monday 00:00 to the next Monday 00:00 (Asia/Shanghai); 422 if malformed."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    try:
        monday = date.fromisocalendar(_year(match[1]), int(match[2]), 1)
    except (TypeError, ValueError):
        raise field_error("week", "应为 ISO 周，如 2026-W47") from None
    return Period(local_day(monday), local_day(monday + timedelta(days=7)), week)


def month_period(month: str) -> Period:
    """2026-11 → the month in Asia/Shanghai; 422 if malformed."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    try:
        first = date(_year(match[1]), int(match[2]), 1)
    except (TypeError, ValueError):
        raise field_error("month", "应为年月，如 2026-11") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period(local_day(first), local_day(following), month)


def _tickets(scope: Scope, period: Period) -> tuple[str, dict]:
    """The FROM/WHERE of tickets created in the period within the scope, and its parameters."""
    filters, params = scope_filters(scope, unit_column=None)
    if scope.unit:
        filters += UNIT_TICKETS
        params["unit"] = scope.unit
    return TICKETS_SQL.format(filters=filters), {"start": period.start, "end": period.end, **params}


async def _top(session: AsyncSession, scope: Scope, period: Period, group: str, extra: str = "") -> list:
    tickets, params = _tickets(scope, period)
    sql = TOP_SQL.format(group=group, extra=extra, tickets=tickets)
    return list((await session.execute(text(sql), {**params, "top": TOP})).mappings())


async def hot_categories(session: AsyncSession, scope: Scope, period: Period,
                         names: Names) -> list[dict]:
    """The categories with the most tickets created in the period."""
    rows = await _top(session, scope, period, "category")
    return [{"code": r["key"], "name": names.category(r["key"]), "count": r["count"]} for r in rows]


async def hot_places(session: AsyncSession, scope: Scope, period: Period,
                     names: Names) -> list[dict]:
    """The towns (乡镇/街道) with the most tickets, with one address as an example."""
    rows = await _top(session, scope, period, "coalesce(town_code, region_code)",
                      "min(address) AS address,")
    return [{"code": r["key"], "name": names.unit(r["key"]), "address": r["address"],
             "count": r["count"]} for r in rows]


def worst_units(units: list[dict]) -> list[dict]:
    """Units with the lowest mean of their rates, most overdue first among equals."""
    def score(row: dict) -> float:
        rates = [row[k] for k in RATES if row[k] is not None]
        return sum(rates) / len(rates) if rates else 1.0

    troubled = [row for row in units if score(row) < 1.0 or row["overdue"]]
    ranked = sorted(troubled, key=lambda row: (score(row), -row["overdue"], row["unit_code"]))
    return [{**row, "score": round(score(row), 4)} for row in ranked[:WORST]]


async def build(session: AsyncSession, scope: Scope, period: Period, kind: str,
                names: Names) -> dict:
    """The report as JSON, its codes named by `names` (read once for the report)."""
    figures = await stats.compute(session, scope, period, names)
    tickets, params = _tickets(scope, period)
    return {
        "kind": kind, "period": period.label,
        "from": period.start, "to": period.end,
        "scope": figures["scope"],
        "tickets": await session.scalar(text(f"SELECT count(*) {tickets}"), params),
        "hot_categories": await hot_categories(session, scope, period, names),
        "hot_places": await hot_places(session, scope, period, names),
        "worst_units": worst_units(figures["units"]),
        "counties": figures["counties"],
        "total": figures["total"],
        "weights": figures["weights"],
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


_env = pages.environment(Path(__file__).parent / "templates", {"percent": _percent})


def render_html(report: dict, names: Names) -> str:
    """The report as a readable Chinese page with inline SVG charts (no scripts, no network)."""
    title = ("周报" if report["kind"] == "weekly" else "月报") + f" {report['period']}"
    return _env.get_template("report.html").render(
        report=report, names=names, title=title, first_day=report["from"],
        last_day=report["to"] - timedelta(days=1))
