"""Notify's commands for `python -m services.cli`: try the configured provider, list failures."""

import asyncio

import typer

from services.core.db import Database
from services.core.logging import configure_logging
from services.core.settings import get_settings
from services.notify import messages as store
from services.notify.context import SAMPLE
from services.notify.providers import ProviderError, build_sms_provider, default_http_client
from services.notify.settings import NotifySettings
from services.notify.templates import default_template, render_sms


async def _send_sample(phone: str) -> str:
    settings, notify = get_settings(), NotifySettings()
    async with default_http_client(notify.notify_http_timeout) as client:
        provider = build_sms_provider(
            settings.sms_provider, client=client, **notify.sms_options(settings.sms_provider)
        )
        sms = render_sms(
            default_template("ticket.accepted", "citizen", "sms"),
            SAMPLE,
            sign_name=notify.sms_sign_name,
        )
        result = await provider.send(sms.message(phone))
    return f"{provider.name} accepted it: {result.provider_message_id}"


async def _failed(limit: int) -> list:
    db = Database(get_settings().database_url, pool_size=1)
    async with db.transaction() as session:
        rows = await store.search(
            session, ticket=None, phone=None, status="failed", region=None, limit=limit, offset=0
        )
    await db.dispose()
    return rows


def register(app: typer.Typer) -> None:
    """Add notify's commands to the platform CLI."""

    @app.command("notify-test")
    def notify_test(phone: str = typer.Argument(help="a mobile number to text")) -> None:
        """Send the sample 已受理 SMS through SMS_PROVIDER (console: written to the log)."""
        configure_logging("INFO", "notify")
        try:
            typer.echo(asyncio.run(_send_sample(phone)))
        except ProviderError as error:
            typer.echo(f"refused: {error}", err=True)
            raise typer.Exit(1) from None

    @app.command("notify-failed")
    def notify_failed(limit: int = typer.Option(20, help="how many, newest first")) -> None:
        """Messages that could not be delivered, as the command center sees them."""
        for row in asyncio.run(_failed(limit)):
            typer.echo(
                f"{row['created_at']:%Y-%m-%d %H:%M} {row['ticket_number'] or '-':18} "
                f"{row['audience']:10} {row['channel']:6} "
                f"{store.masked(row['channel'], row['recipient'])} {row['error_code']}"
            )
