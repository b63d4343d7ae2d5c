"""Retention: uploads no ticket claimed in time leave the bucket; safe with many replicas."""

import asyncio
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update

from services.media.models import DELETED, objects
from services.media.service import Media

log = structlog.get_logger()

async def purge_batch(media: Media, *, now: datetime) -> list[uuid.UUID]:
    """Delete one batch of unattached uploads older than the retention period; their ids."""
    async with media.db.transaction() as session:
        rows = (await session.execute(
            select(objects.c.id, objects.c.object_key, objects.c.thumbnail_key)
            .where(objects.c.attached_at.is_(None), objects.c.state != DELETED,
                   _expired(media, now))
            .order_by(objects.c.created_at)
            .limit(media.settings.media_retention_batch)
            # Another replica's job skips these rows; a ticket attaching one waits for us.
            .with_for_update(skip_locked=True))).all()
        keys = [key for row in rows for key in (row.object_key, row.thumbnail_key) if key]
        # Deleted before the rows are marked: if the store fails, the rows stay for next time.
        await asyncio.gather(*(media.store.delete(key) for key in keys))
        ids = [row.id for row in rows]
        if ids:
            await session.execute(update(objects).where(objects.c.id.in_(ids))
                                  .values(state=DELETED, deleted_at=now))
    return ids


def _expired(media: Media, now: datetime):
    """Older than the retention period; staff evidence is attached by ticket.media_attached."""
    return objects.c.created_at < now - timedelta(hours=media.settings.media_retention_hours)


async def purge(media: Media, *, now: datetime) -> list[uuid.UUID]:
    """Delete every unattached upload past the retention period, batch by batch."""
    deleted: list[uuid.UUID] = []
    while True:
        batch = await purge_batch(media, now=now)
        deleted += batch
        if len(batch) < media.settings.media_retention_batch:
            break
    if deleted:
        log.info("media.purged", count=len(deleted))
    return deleted
