"""Events the media service publishes (docs/events.md)."""

import uuid

from services.core.events import Event


class MediaStored(Event):
    type = "media.stored"
    media_id: uuid.UUID
    kind: str
    content_type: str
    size: int
    sha256: str
    owner: str
