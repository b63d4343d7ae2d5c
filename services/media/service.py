"""The rules of an upload's life: stored, described to those who may see it, completed."""

import asyncio
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.db import Database
from services.core.outbox import Outbox
from services.core.problems import Problem
from services.media.events import MediaStored
from services.media.images import prepare
from services.media.inspect import (
    HEAD_SIZE,
    IMAGE,
    VIDEO,
    MediaError,
    MediaTooLarge,
    Received,
    identify,
)
from services.media.models import DELETED, PENDING, STORED, objects
from services.media.settings import MediaSettings
from services.media.storage import ObjectStore, object_key

log = structlog.get_logger()

NOT_FOUND = Problem(404, "未找到", "附件不存在或无权查看")
EXTENSIONS = {"video/mp4": "mp4", "video/quicktime": "mov"}


@dataclass(frozen=True)
class Media:
    """What the media routes and jobs work with: database, bucket, outbox, settings."""

    db: Database
    store: ObjectStore
    outbox: Outbox
    settings: MediaSettings


@dataclass(frozen=True)
class Blob:
    """The bytes to store for an upload, with what the metadata says about them."""

    file: BinaryIO
    size: int
    sha256: str
    content_type: str
    extension: str
    thumbnail: bytes | None = None


def blob_of(received: Received) -> Blob:
    """Photos re-encoded without EXIF, with a thumbnail; other kinds as they came."""
    detected = received.detected
    if detected.kind != IMAGE:
        return Blob(received.file, received.size, received.sha256, detected.content_type,
                    detected.extension)
    prepared = prepare(received.file)
    image = prepared.image
    return Blob(io.BytesIO(image.data), len(image.data), hashlib.sha256(image.data).hexdigest(),
                image.content_type, image.extension, prepared.thumbnail)


async def store_upload(media: Media, received: Received, owner: Principal) -> dict:
    """Put an upload in the bucket, record it and announce `media.stored`."""
    blob = await asyncio.to_thread(blob_of, received)
    media_id, now = uuid.uuid4(), datetime.now(UTC)
    row = _row(media_id, received.detected.kind, owner, now, f".{blob.extension}",
               content_type=blob.content_type, size=blob.size, sha256=blob.sha256, state=STORED)
    if blob.thumbnail is not None:
        row["thumbnail_key"] = object_key(media_id, now, ".thumb.jpg")
    await _put(media.store, row, blob)
    try:
        async with media.db.transaction() as session:
            row = await _insert(session, row)
            await announce(session, media.outbox, row)
    except BaseException:
        await _remove(media.store, row)
        raise
    return row


async def _insert(session: AsyncSession, row: dict) -> dict:
    inserted = await session.execute(insert(objects).values(**row).returning(*objects.c))
    return dict(inserted.mappings().one())


def _row(media_id: uuid.UUID, kind: str, owner: Principal, now: datetime, suffix: str,
         **values) -> dict:
    return {"id": media_id, "kind": kind, "owner": owner.subject, "owner_role": owner.role.value,
            "owner_unit": owner.unit, "object_key": object_key(media_id, now, suffix),
            "thumbnail_key": None, "created_at": now, **values}


async def _put(store: ObjectStore, row: dict, blob: Blob) -> None:
    await store.put(row["object_key"], blob.file, blob.size, blob.content_type)
    if blob.thumbnail is not None:
        await store.put(row["thumbnail_key"], io.BytesIO(blob.thumbnail), len(blob.thumbnail),
                        "image/jpeg")


async def _remove(store: ObjectStore, row: dict) -> None:
    for key in (row["object_key"], row.get("thumbnail_key")):
        if key:
            await store.delete(key)


async def announce(session: AsyncSession, outbox: Outbox, row: dict) -> None:
    """Stage `media.stored` for a row in the caller's transaction."""
    await outbox.stage(session, MediaStored(
        media_id=row["id"], kind=row["kind"], content_type=row["content_type"], size=row["size"],
        sha256=row["sha256"], owner=row["owner"]))


async def find(session: AsyncSession, media_id: uuid.UUID) -> dict | None:
    """One upload's row, or None."""
    row = (await session.execute(select(objects).where(objects.c.id == media_id))).mappings().first()
    return dict(row) if row else None


async def begin_upload(media: Media, owner: Principal, *, content_type: str, size: int) -> dict:
    """Record a pending video upload the client will PUT to the bucket itself."""
    limit = media.settings.limits.of(VIDEO)
    if size > limit:
        raise MediaTooLarge.for_kind(VIDEO, limit)
    media_id, now = uuid.uuid4(), datetime.now(UTC)
    row = _row(media_id, VIDEO, owner, now, f".{EXTENSIONS[content_type]}",
               content_type=content_type, size=size, sha256=None, state=PENDING)
    async with media.db.transaction() as session:
        return await _insert(session, row)


def upload_url(media: Media, row: dict) -> tuple[str, datetime]:
    """A presigned PUT URL for a pending upload and when it stops working."""
    ttl = timedelta(seconds=media.settings.media_upload_seconds)
    return media.store.presigned_put(row["object_key"], ttl), datetime.now(UTC) + ttl


async def complete_upload(media: Media, media_id: uuid.UUID, owner: Principal) -> dict:
    """Check the object a client PUT and record it; delete it and say why if it is refused."""
    async with media.db.transaction() as session:
        row = await find(session, media_id)
    if row is None or row["owner"] != owner.subject or row["state"] == DELETED:
        raise Problem(404, "未找到", "上传不存在或已失效，请重新上传")
    if row["state"] == STORED:
        return row
    checked = await _checked(media, row)
    async with media.db.transaction() as session:
        done = await session.execute(
            update(objects).where(objects.c.id == media_id, objects.c.state == PENDING)
            .values(state=STORED, **checked).returning(*objects.c))
        stored = done.mappings().first()
        if stored is not None:
            await announce(session, media.outbox, stored)
            return dict(stored)
        return await find(session, media_id)


async def _checked(media: Media, row: dict) -> dict:
    """The real type, size and hash of the uploaded object; refusals delete it."""
    found = await media.store.stat(row["object_key"])
    if found is None:
        raise Problem(409, "尚未上传", "尚未收到文件，请先按上传地址上传后再确认")
    limit = media.settings.limits.of(VIDEO)
    try:
        if found.size > limit:
            raise MediaTooLarge.for_kind(VIDEO, limit)
        detected = identify(await media.store.get_head(row["object_key"], HEAD_SIZE) or b"",
                            (VIDEO,))
    except MediaError:
        await _refuse(media, row)
        raise
    return {"size": found.size, "content_type": detected.content_type,
            "sha256": await media.store.sha256(row["object_key"])}


async def _refuse(media: Media, row: dict) -> None:
    await media.store.delete(row["object_key"])
    async with media.db.transaction() as session:
        await session.execute(update(objects).where(objects.c.id == row["id"])
                              .values(state=DELETED, deleted_at=datetime.now(UTC)))
    log.info("media.upload_refused", media_id=str(row["id"]))
