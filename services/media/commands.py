"""media's commands: run the retention job once (what every replica does every few minutes)."""

import asyncio
from datetime import UTC, datetime

import typer

from services.core.db import Database
from services.core.outbox import Outbox
from services.core.settings import get_settings
from services.media import retention
from services.media.models import outbox
from services.media.service import Media
from services.media.settings import MediaSettings
from services.media.storage import ObjectStore


async def _purge() -> int:
    settings, media_settings = get_settings(), MediaSettings()
    db = Database(settings.database_url, pool_size=1)
    store = ObjectStore.from_settings(settings)
    try:
        media = Media(db, store, Outbox(outbox, "media"), media_settings)
        return len(await retention.purge(media, now=datetime.now(UTC)))
    finally:
        await db.dispose()


def register(app: typer.Typer) -> None:
    """Add `media-purge` to the platform CLI."""

    @app.command("media-purge")
    def media_purge() -> None:
        """Delete uploads no ticket claimed within the retention period (default 24 h)."""
        typer.echo(f"deleted {asyncio.run(_purge())} unattached uploads")
