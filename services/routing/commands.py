"""Routing's commands for `python -m services.cli`: department queues, directory announcements."""

import asyncio

import typer

from services.core.db import Database
from services.core.settings import Settings, get_settings
from services.routing.departments import UnknownUnit, declare_dept_queue
from services.routing.directory_store import announce_all


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


async def _announce(settings: Settings) -> dict:
    database = Database(settings.database_url, pool_size=1, name="routing")
    try:
        async with database.transaction() as session:
            return await announce_all(session)
    finally:
        await database.dispose()
