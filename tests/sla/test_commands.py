"""`python -m services.cli calendar-load <file.json>`: the admin's way to load a notice offline."""

import asyncio
import json

import pytest
from typer.testing import CliRunner

from services import cli
from services.core.db import Database
from services.core.settings import get_settings
from services.sla import calendars
from tests.sla.flow import Ticket, at, unit_code

NOTICE = {"year": 2030, "note": "国办发明电（测试）",
          "holidays": ["2030-01-01", "2030-10-01", "2030-10-02", "2030-10-03", "2030-10-04",
                       "2030-10-07"],
          "workdays": ["2030-09-29", "2030-10-12"]}


@pytest.fixture
def invoke(sla_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sla_settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(cli.app, list(args))
    get_settings.cache_clear()


def year_as_counted(url: str, year: int) -> dict:
    async def read() -> dict:
        db = Database(url, pool_size=1)
        async with db.transaction() as session:
            described = await calendars.describe_year(session, year)
        await db.dispose()
        return described

    return asyncio.run(read())


def test_calendar_load_makes_the_year_official(invoke, sla_settings, tmp_path):
    path = tmp_path / "2030.json"
    path.write_text(json.dumps(NOTICE, ensure_ascii=False), encoding="utf-8")
    result = invoke("calendar-load", str(path))
    assert result.exit_code == 0, result.output
    assert "2030: 6 holidays on weekdays, 2 make-up workdays" in result.output
    year = year_as_counted(sla_settings.database_url, 2030)
    assert year["source"] == "notice" and year["estimated"] is False and year["loaded_by"] == "cli"
    assert [str(d) for d in year["workdays"]] == NOTICE["workdays"]


def test_calendar_load_refuses_a_bad_file(invoke, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"year": 2032, "workdays": ["2032-03-03"]}), encoding="utf-8")
    result = invoke("calendar-load", str(path))
    assert result.exit_code == 2
    assert "是工作日" in result.output
    path.write_text("{not json", encoding="utf-8")
    assert invoke("calendar-load", str(path)).exit_code == 2


async def test_clocks_announce_repeats_every_open_clock(invoke, sla):
    unit, ticket = unit_code("town"), Ticket(sla.app)
    await ticket.assign(unit, at(2026, 11, 2, 10))
    await ticket.send("ticket.signed", at(2026, 11, 2, 11), unit_code=unit)
    before = await ticket.changes()
    result = await asyncio.to_thread(invoke, "clocks-announce")
    assert result.exit_code == 0, result.output
    [again] = (await ticket.changes())[len(before):]
    assert again == {**before[1], "state": "running"}  # the completion clock, as when it started
