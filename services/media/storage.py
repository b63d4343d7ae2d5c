"""Object storage for media bytes: a thin async wrapper over the minio client."""

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from minio import Minio
from minio.error import S3Error

# Presigning needs the region; fixing it saves a location lookup per URL and lets URLs
# be signed for a public host the service itself cannot reach.
REGION = "us-east-1"
MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket", "ResourceNotFound"}
ALREADY_THERE = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}
HASH_CHUNK = 1024 * 1024


def object_key(media_id: uuid.UUID | str, created_at: datetime, suffix: str = "") -> str:
    """Where an object lives: by UTC date and id, never by the client's file name."""
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(UTC)
    return f"{created_at:%Y/%m/%d}/{uuid.UUID(str(media_id))}{suffix}"


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object."""

    key: str
    size: int
    content_type: str
    etag: str
    last_modified: datetime | None


class ObjectStore:
    """One bucket of an S3-compatible store; blocking client calls run in threads."""

    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, bucket: str,
        secure: bool = False, *, public_endpoint: str | None = None,
    ):
        self.bucket = bucket
        self.client = Minio(endpoint, access_key, secret_key, secure=secure, region=REGION)
        # Presigned URLs carry the signed host, so they are made for the host clients use.
        self.signer = self.client if public_endpoint is None else Minio(
            public_endpoint, access_key, secret_key, secure=secure, region=REGION)

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> "ObjectStore":
        """A store from an object with s3_endpoint, s3_access_key, ... attributes."""
        return cls(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                   settings.s3_bucket, settings.s3_secure, **kwargs)

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists; safe when several replicas race."""
        await asyncio.to_thread(self._ensure_bucket)

    def _ensure_bucket(self) -> None:
        if self.client.bucket_exists(self.bucket):
            return
        try:
            self.client.make_bucket(self.bucket)
        except S3Error as exc:
            if exc.code not in ALREADY_THERE:
                raise

    async def put(self, key: str, fileobj: BinaryIO, size: int, content_type: str) -> str:
        """Store `size` bytes read from `fileobj`; returns the etag."""
        result = await asyncio.to_thread(
            self.client.put_object, self.bucket, key, fileobj, size, content_type=content_type)
        return result.etag

    async def stat(self, key: str) -> StoredObject | None:
        """The object's size and type, or None if there is no such object."""
        try:
            found = await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise
        return StoredObject(key, found.size or 0, found.content_type or "",
                            found.etag or "", found.last_modified)

    async def get_head(self, key: str, n: int) -> bytes | None:
        """The first `n` bytes of the object (fewer if it is shorter), or None if missing."""
        try:
            return await asyncio.to_thread(self._read_range, key, n)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            # An empty object has no byte 0 to start a range at.
            if exc.code == "InvalidRange":
                return b""
            raise

    def _read_range(self, key: str, n: int) -> bytes:
        if n <= 0:
            return b""
        response = self.client.get_object(self.bucket, key, offset=0, length=n)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    async def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def sha256(self, key: str) -> str:
        """The hex SHA-256 of the object's bytes, read as a stream (never whole in memory)."""
        return await asyncio.to_thread(self._sha256, key)

    def _sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        response = self.client.get_object(self.bucket, key)
        try:
            for chunk in response.stream(HASH_CHUNK):
                digest.update(chunk)
        finally:
            response.close()
            response.release_conn()
        return digest.hexdigest()

    def presigned_get(self, key: str, expires: timedelta = timedelta(minutes=15),
                      content_type: str | None = None) -> str:
        """A URL that lets its holder download the object until it expires.

        With `content_type`, the download is served as that type whatever the object says.
        """
        headers = {"response-content-type": content_type} if content_type else None
        return self.signer.presigned_get_object(self.bucket, key, expires=expires,
                                                response_headers=headers)

    def presigned_put(self, key: str, expires: timedelta = timedelta(minutes=15)) -> str:
        """A URL that lets its holder upload the object with an HTTP PUT until it expires."""
        return self.signer.presigned_put_object(self.bucket, key, expires=expires)
