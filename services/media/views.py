"""Uploads as the API shows them: metadata and short-lived download links."""

from datetime import UTC, datetime, timedelta

from services.media.models import STORED
from services.media.service import Media

FIELDS = ("id", "kind", "content_type", "size", "sha256", "owner", "state", "created_at",
          "attached_at", "ticket_id")


def media_view(media: Media, row: dict) -> dict:
    """The metadata, with presigned GET URLs once the bytes are stored."""
    view = {key: row[key] for key in FIELDS}
    if row["state"] != STORED:
        return view
    ttl = timedelta(seconds=media.settings.media_url_seconds)
    view["url"] = media.store.presigned_get(row["object_key"], ttl, row["content_type"])
    if row["thumbnail_key"]:
        view["thumbnail_url"] = media.store.presigned_get(row["thumbnail_key"], ttl, "image/jpeg")
    view["url_expires_at"] = datetime.now(UTC) + ttl
    return view
