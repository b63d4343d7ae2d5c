"""Routing's commands for `python -m services.cli`: department queues, directory announcements,
the knowledge base's loading and reindexing."""

import asyncio
import json
from pathlib import Path

import typer

from services.core.db import Database
from services.core.settings import Settings, get_settings
from services.routing import knowledge_store
from services.routing.departments import UnknownUnit, declare_dept_queue
from services.routing.directory_store import announce_all
from services.routing.seed import KNOWLEDGE, load_knowledge


def register(app: typer.Typer) -> None:
    """Add routing's commands to the platform CLI."""

    @app.command("dept-queue")
    def dept_queue(unit: str = typer.Argument(help="unit code, e.g. 532622-police")) -> None:
        """Declare dept.<unit>, bound to ticket.assigned.<unit> and sla.*.<unit>."""
        try:
            spec = asyncio.run(declare_dept_queue(get_settings(), unit))
        except UnknownUnit as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        typer.echo(f"queue {spec.name} <- {', '.join(spec.bindings)} (dead letters: {spec.dead_queue})")
        typer.echo(f"example consumer: python -m services.routing.dept_consumer {unit}")

    @app.command("announce-directory")
    def announce_directory() -> None:
        """Announce every unit and category again (intake and sla learn their names from it)."""
        counts = asyncio.run(_announce(get_settings()))
        typer.echo(f"staged {counts['units']} unit.upserted and {counts['categories']} "
                   "category.upserted; routing's relay publishes them")

    @app.command("knowledge-load")
    def knowledge_load(path: Path = typer.Argument(KNOWLEDGE, help="a JSON list of answers: "
                                                   "title, body, category, region, keywords")) -> None:
        """Add or update answers from a file (by title: loading again changes nothing)."""
        items = json.loads(path.read_text(encoding="utf-8"))
        count = asyncio.run(_in_transaction(get_settings(), lambda s: load_knowledge(s, items)))
        typer.echo(f"loaded {count} answers")

    @app.command("knowledge-reindex")
    def knowledge_reindex() -> None:
        """Cut every answer's words again, after a change of routing's jieba dictionary."""
        count = asyncio.run(_in_transaction(get_settings(), knowledge_store.reindex))
        typer.echo(f"reindexed {count} answers")


async def _announce(settings: Settings) -> dict:
    return await _in_transaction(settings, announce_all)


async def _in_transaction(settings: Settings, work):
    database = Database(settings.database_url, pool_size=1, name="routing")
    try:
        async with database.transaction() as session:
            return await work(session)
    finally:
        await database.dispose()
