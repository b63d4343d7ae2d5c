"""Intake's commands for operators: the first accounts and channel keys of a real deployment."""

import asyncio
import getpass
import secrets

import typer

from services.core.auth import Role
from services.core.db import Database
from services.core.settings import get_settings
from services.intake import accounts


async def _in_transaction(work) -> None:
    db = Database(get_settings().database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            await work(session)
    finally:
        await db.dispose()


def register(app: typer.Typer) -> None:
    """Add `create-staff` and `create-api-key` to the platform CLI."""

    @app.command("create-staff")
    def create_staff(username: str, role: Role = typer.Option(..., help="admin, dispatcher, handler, ..."),
                     unit: str = typer.Option(None, help="unit code, e.g. 532622-police"),
                     region: str = typer.Option(None, help="county adcode, e.g. 532622")) -> None:
        """Create or update a staff account; the password is asked for, never echoed."""
        password = getpass.getpass("password: ")
        if len(password) < 10:
            raise typer.BadParameter("use at least 10 characters")
        asyncio.run(_in_transaction(lambda session: accounts.upsert_staff(
            session, username=username, role=role, password=password, unit_code=unit, region_code=region)))
        typer.echo(f"staff account {username} ({role.value}) saved")

    @app.command("create-api-key")
    def create_api_key(name: str) -> None:
        """Issue a channel back-end's API key (stored hashed; shown once)."""
        key = secrets.token_urlsafe(32)
        asyncio.run(_in_transaction(lambda session: accounts.add_api_key(session, name, key)))
        typer.echo(f"X-Api-Key for {name}: {key}")
