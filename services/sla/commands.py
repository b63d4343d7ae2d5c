"""sla's commands: load a year's State Council holiday schedule from a JSON file; announce
the open clocks again."""

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from services.core.db import Database
from services.core.problems import Problem
from services.core.settings import get_settings
from services.sla import calendars, timers
from services.sla.schemas import CalendarNoticeIn

EXAMPLE = '{"year": 2027, "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}'


def _notices(path: Path) -> list[tuple[int, CalendarNoticeIn]]:
    """One notice or a list of them: {"year", "holidays", "workdays", "note"?}."""
    content = json.loads(path.read_text(encoding="utf-8"))
    items = content if isinstance(content, list) else [content]
    return [(int(item.pop("year")), CalendarNoticeIn.model_validate(item)) for item in items]


async def _load(notices: list[tuple[int, CalendarNoticeIn]]) -> list[dict]:
    db = Database(get_settings().database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            for year, notice in notices:
                await calendars.save_notice(session, year, holidays=notice.holidays,
                                            workdays=notice.workdays, by="cli", note=notice.note)
            return [await calendars.describe_year(session, year) for year, _ in notices]
    finally:
        await db.dispose()


async def _announce() -> int:
    db = Database(get_settings().database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await timers.announce_open(session, await calendars.load(session))
    finally:
        await db.dispose()


def register(app: typer.Typer) -> None:
    """Add `calendar-load` and `clocks-announce` to the platform CLI."""

    @app.command("clocks-announce")
    def clocks_announce() -> None:
        """Publish sla.clock_changed for every open clock (through the outbox; a running sla relays it)."""
        typer.echo(f"{asyncio.run(_announce())} open clocks announced")

    @app.command("calendar-load")
    def calendar_load(file: Annotated[Path, typer.Argument(exists=True, readable=True,
                                                           help=f"JSON, e.g. {EXAMPLE}")]) -> None:
        """Load the State Council's holiday schedule of a year (or several) into sla."""
        try:
            notices = _notices(file)
            years = asyncio.run(_load(notices))
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise typer.BadParameter(f"{file}: {exc}") from None
        except Problem as problem:
            raise typer.BadParameter(f"{file}: {problem.detail}") from None
        for year in years:
            typer.echo(f"{year['year']}: {len(year['holidays'])} holidays on weekdays, "
                       f"{len(year['workdays'])} make-up workdays, {year['working_days']} working days")
