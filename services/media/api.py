"""The media service's HTTP routes: thin, the rules live in service.py and access.py."""

import uuid
from contextlib import aclosing
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.media import service
from services.media.access import CallerDep, can_read
from services.media.inspect import receive
from services.media.models import DELETED
from services.media.schemas import MediaOut, UploadIn, UploadOut, refusals
from services.media.service import NOT_FOUND, Media
from services.media.uploads import FIELD, file_chunks
from services.media.views import media_view

router = APIRouter(prefix="/v1", tags=["media"])


def _media(request: Request) -> Media:
    return request.app.state.media


MediaDep = Annotated[Media, Depends(_media)]
MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FIELD],
    "properties": {FIELD: {"type": "string", "format": "binary"}}}}}}}


@router.post("/media", status_code=201, response_model=MediaOut, openapi_extra=MULTIPART,
             responses=refusals(400, 401, 413, 415, 422, 503))
async def upload(request: Request, media: MediaDep, caller: CallerDep) -> dict:
    """Upload a photo, video or voice recording (multipart field `file`), typed by its bytes."""
    async with aclosing(file_chunks(request)) as chunks:
        received = await receive(chunks, media.settings.limits)
    with received:
        row = await service.store_upload(media, received, caller)
    return media_view(media, row)


@router.post("/media/uploads", status_code=201, response_model=UploadOut,
             responses=refusals(401, 413, 415, 422))
async def begin_upload(body: UploadIn, request: Request, media: MediaDep, caller: CallerDep) -> dict:
    """Start a large video upload: PUT the bytes to `upload_url`, then call `complete_url`."""
    row = await service.begin_upload(media, caller, content_type=body.content_type, size=body.size)
    url, expires_at = service.upload_url(media, row)
    return {"id": row["id"], "upload_url": url, "expires_at": expires_at,
            "complete_url": str(request.url_for("complete_upload", media_id=row["id"]).path)}


@router.post("/media/{media_id}/complete", response_model=MediaOut,
             responses=refusals(401, 404, 409, 413, 415, 422, 503))
async def complete_upload(media_id: uuid.UUID, media: MediaDep, caller: CallerDep) -> dict:
    """Check the video PUT to the bucket and record it; a refused one is deleted (413/415)."""
    return media_view(media, await service.complete_upload(media, media_id, caller))


@router.get("/media/{media_id}", response_model=MediaOut, responses=refusals(401, 404, 422))
async def get_media(media_id: uuid.UUID, media: MediaDep, caller: CallerDep) -> dict:
    """An upload's metadata and short-lived download links; 404 for anyone who may not see it."""
    async with media.db.transaction() as session:
        row = await service.find(session, media_id)
        if row is None or row["state"] == DELETED or not await can_read(session, caller, row):
            raise NOT_FOUND
    return media_view(media, row)
