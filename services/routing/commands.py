"""Routing's commands for `python -m services.cli`: department queues."""

import asyncio

import typer

from services.core.settings import get_settings
from services.routing.departments import UnknownUnit, declare_dept_queue


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
