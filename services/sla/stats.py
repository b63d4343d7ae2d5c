"""The three rates and the counts, per unit and per county, over a period.

响应率 = 按时签收 / (按时签收 + 超时签收或仍未签收而已超时)
按时办结率 = 按时办结 / (按时办结 + 超时)
解决率 = 评价为已解决 / 参评 ; 满意率 = Σ 权重 × 评价 / 参评 (each ticket's latest evaluation)
Clocks still running before their deadline, and clocks cancelled by a transfer or an
approved return, are not counted against a unit.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.names import Names
from services.sla import labels, policies
from services.sla.access import Scope

CLOCK_SQL = """
SELECT {key} AS key, max(unit_name) AS name,
  count(*) FILTER (WHERE kind = 'response' AND state <> 'stopped') AS assigned,
  count(*) FILTER (WHERE kind = 'response' AND state = 'met') AS signed_on_time,
  count(*) FILTER (WHERE kind = 'response' AND state = 'breached') AS signed_late,
  count(*) FILTER (WHERE kind = 'completion' AND state = 'met') AS completed_on_time,
  count(*) FILTER (WHERE kind = 'completion' AND state = 'breached') AS completed_late,
  count(DISTINCT ticket_id) FILTER (WHERE state = 'breached') AS overdue
FROM sla.clocks
WHERE started_at >= :start AND started_at < :end {filters}
GROUP BY 1
"""
EVALUATION_SQL = """
WITH latest AS (
  SELECT DISTINCT ON (ticket_id) ticket_id, region_code, units, resolved, satisfaction
  FROM sla.evaluations
  WHERE at >= :start AND at < :end {filters}
  ORDER BY ticket_id, at DESC
)
SELECT {key} AS key, count(*) AS evaluated, count(*) FILTER (WHERE resolved) AS resolved,
  count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
  count(*) FILTER (WHERE satisfaction = 'basically_satisfied') AS basically_satisfied,
  count(*) FILTER (WHERE satisfaction = 'unsatisfied') AS unsatisfied
FROM latest {unnest}
GROUP BY 1
"""
UNIT_EVENT_SQL = """
SELECT {key} AS key,
  count(DISTINCT ticket_id) FILTER (WHERE kind = 'returned') AS returned,
  count(DISTINCT ticket_id) FILTER (WHERE kind = 'extended') AS extended,
  count(DISTINCT ticket_id) FILTER (WHERE kind = 'reopened') AS reopened
FROM sla.unit_events
WHERE at >= :start AND at < :end {filters}
GROUP BY 1
"""
COUNTS = ("assigned", "signed_on_time", "signed_late", "completed_on_time", "completed_late",
          "overdue", "evaluated", "resolved", "satisfied", "basically_satisfied", "unsatisfied",
          "returned", "extended", "reopened")


@dataclass(frozen=True)
class Period:
    """[start, end) in Asia/Shanghai, with a label such as 2026-W47."""

    start: datetime
    end: datetime
    label: str = ""


def scope_filters(scope: Scope, *, unit_column: str | None = "unit_code") -> tuple[str, dict]:
    """SQL conditions (and their parameters) restricting rows to a unit and a region."""
    sql, params = [], {}
    if scope.unit and unit_column:
        sql.append(f"AND {unit_column} = :unit")
        params["unit"] = scope.unit
    if scope.region and scope.region.endswith("00"):
        sql.append("AND region_code LIKE :region")
        params["region"] = scope.region[:4] + "%"
    elif scope.region:
        sql.append("AND region_code = :region")
        params["region"] = scope.region
    return " ".join(sql), params


def _evaluation_query(scope: Scope, by: str) -> tuple[str, dict]:
    filters, params = scope_filters(scope, unit_column=None)
    if scope.unit:
        filters += " AND :unit = ANY(units)"
        params["unit"] = scope.unit
    if by != "unit_code":
        return EVALUATION_SQL.format(key="region_code", filters=filters, unnest=""), params
    # A ticket handled by two units counts for each of them.
    unnest = ", unnest(latest.units) AS u(unit)" + (" WHERE u.unit = :unit" if scope.unit else "")
    return EVALUATION_SQL.format(key="u.unit", filters=filters, unnest=unnest), params


async def _grouped(session: AsyncSession, scope: Scope, period: Period, by: str) -> dict[str, dict]:
    """Every count, grouped by `unit_code` or `region_code`."""
    filters, params = scope_filters(scope)
    queries = (
        (CLOCK_SQL.format(key=by, filters=filters), params),
        _evaluation_query(scope, by),
        (UNIT_EVENT_SQL.format(key=by, filters=filters), params),
    )
    merged: dict[str, dict] = {}
    for sql, query_params in queries:
        bound = {"start": period.start, "end": period.end, **query_params}
        for row in (await session.execute(text(sql), bound)).mappings():
            entry = merged.setdefault(row["key"], {key: 0 for key in COUNTS})
            entry.update({k: v for k, v in row.items() if k != "key" and v is not None})
    return merged


def _ratio(numerator: float, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def with_rates(counts: dict, weights: dict[str, float]) -> dict:
    """The counts with the three rates (and on-time completion) computed from them."""
    c = counts
    satisfaction = sum(weights[k] * c[k] for k in ("satisfied", "basically_satisfied", "unsatisfied"))
    return {
        **c,
        "response_rate": _ratio(c["signed_on_time"], c["signed_on_time"] + c["signed_late"]),
        "on_time_rate": _ratio(c["completed_on_time"], c["completed_on_time"] + c["completed_late"]),
        "resolution_rate": _ratio(c["resolved"], c["evaluated"]),
        "satisfaction_rate": _ratio(satisfaction, c["evaluated"]),
    }


async def compute(session: AsyncSession, scope: Scope, period: Period,
                  names: Names | None = None) -> dict:
    """Per unit, per county and in total, for the scope and period."""
    names = names or await labels.load(session)
    weights = await policies.weights(session)
    units = await _grouped(session, scope, period, "unit_code")
    counties = await _grouped(session, scope, period, "region_code")
    total = {key: sum(row[key] for row in counties.values()) for key in COUNTS}
    return {
        "from": period.start, "to": period.end, "period": period.label,
        "scope": {"unit": scope.unit, "region": scope.region},
        "weights": weights,
        "units": [{"unit_code": code, "unit_name": names.unit(code, row.pop("name", None)),
                   **with_rates(row, weights)} for code, row in sorted(units.items())],
        "counties": [{"region_code": code, "region_name": names.region(code),
                      **with_rates({k: row[k] for k in COUNTS}, weights)}
                     for code, row in sorted(counties.items(), key=lambda item: item[0] or "")],
        "total": with_rates(total, weights),
    }
