"""Time limits per clock and time class, and the weights of the satisfaction rate."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.sla.models import options, policies

RESPONSE, COMPLETION = "response", "completion"
WARNINGS = {"warn_ratio": 0.75, "warn_before_hours": 2.0}
# Yanshan plan and 12345 practice (DESIGN.md, "Time limits"); the migration seeds the same.
DEFAULTS = {
    (RESPONSE, "urgent"): {"amount": 1, "basis": "hours", **WARNINGS},
    (RESPONSE, "normal"): {"amount": 24, "basis": "hours", **WARNINGS},
    (COMPLETION, "urgent"): {"amount": 3, "basis": "working_days", **WARNINGS},
    (COMPLETION, "normal"): {"amount": 5, "basis": "working_days", **WARNINGS},
    (COMPLETION, "complex"): {"amount": 15, "basis": "working_days", **WARNINGS},
    (COMPLETION, "consult"): {"amount": 2, "basis": "working_days", **WARNINGS},
}
WEIGHTS_KEY = "satisfaction_weights"
DEFAULT_WEIGHTS = {"satisfied": 1.0, "basically_satisfied": 1.0, "unsatisfied": 0.0}


def response_class(urgency: str | None) -> str:
    """Response limits know only urgent and normal tickets."""
    return "urgent" if urgency == "urgent" else "normal"


async def load(session: AsyncSession) -> dict[tuple[str, str], dict]:
    """Every policy by (clock, class): the table over the defaults (re-read every few seconds)."""
    return {key: {**value} for key, value in (await _cached.get(session)).items()}


async def _read(session: AsyncSession) -> dict[tuple[str, str], dict]:
    rows = (await session.execute(select(policies))).mappings().all()
    table = {key: {**value} for key, value in DEFAULTS.items()}
    for row in rows:
        table[(row["clock"], row["sla_class"])] = dict(row)
    return table


_cached = Cached(_read)


def pick(table: dict[tuple[str, str], dict], clock: str, sla_class: str) -> dict:
    """The policy of a clock; an unknown class falls back to `normal`."""
    return table.get((clock, sla_class)) or table[(clock, "normal")]


async def save(session: AsyncSession, rows: list[dict], *, by: str) -> None:
    """Insert or replace the given policies; running clocks keep the limits they started with."""
    _cached.changed(session)
    for row in rows:
        statement = insert(policies).values(**row, updated_by=by)
        changed = {k: statement.excluded[k] for k in ("amount", "basis", "warn_ratio",
                                                       "warn_before_hours", "updated_by")}
        await session.execute(statement.on_conflict_do_update(
            index_elements=["clock", "sla_class"], set_={**changed, "updated_at": func.now()}))


async def weights(session: AsyncSession) -> dict[str, float]:
    """Weights of 满意 / 基本满意 / 不满意 in the satisfaction rate."""
    stored = await session.scalar(select(options.c.value).where(options.c.key == WEIGHTS_KEY))
    return {**DEFAULT_WEIGHTS, **(stored or {})}


async def save_weights(session: AsyncSession, values: dict[str, float], *, by: str) -> None:
    """Replace the satisfaction weights."""
    statement = insert(options).values(key=WEIGHTS_KEY, value=values, updated_by=by)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": values, "updated_by": by, "updated_at": func.now()}))
