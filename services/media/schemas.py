"""Request and response bodies of the media API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MediaOut(BaseModel):
    """An upload's metadata; `url` and `thumbnail_url` are short-lived download links."""

    id: uuid.UUID
    kind: Literal["image", "video", "audio"]
    content_type: str
    size: int
    sha256: str | None
    owner: str
    state: Literal["pending_upload", "stored", "deleted"]
    created_at: datetime
    attached_at: datetime | None
    ticket_id: uuid.UUID | None
    url: str | None = None
    thumbnail_url: str | None = None
    url_expires_at: datetime | None = None


class UploadIn(BaseModel):
    """A large video the client will PUT straight to the object store."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["video"]
    content_type: Literal["video/mp4", "video/quicktime"]
    size: int = Field(ge=1)


class UploadOut(BaseModel):
    """Where to PUT the bytes, until when; then call `complete_url`."""

    id: uuid.UUID
    upload_url: str
    method: Literal["PUT"] = "PUT"
    expires_at: datetime
    complete_url: str
