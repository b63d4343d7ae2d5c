"""Photos, video and voice: forwarded to the media service with the citizen's own token."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.console.backend import Api, ApiError
from services.console.h5.deps import CitizenDep, FormDep, api_of

router = APIRouter()
MAX_PHOTOS = 5
# The file fields of the forms and how many of each a report may carry.
FILE_FIELDS = {"photo": MAX_PHOTOS, "video": 1, "voice": 1}
KIND_NAMES = {"image": "照片", "video": "视频", "audio": "语音"}


async def store(api: Api, upload) -> dict:
    """One file into the media service, streamed from its spooled copy (a video may be large)."""
    await upload.seek(0)
    return await api.post("media", "/v1/media", files={
        "file": (upload.filename or "file", upload.file, upload.content_type or "application/octet-stream")})


async def store_form_files(api: Api, form, already: int) -> list[str]:
    """The files a form posted without JavaScript (with it they are uploaded one by one first)."""
    ids = []
    for name, most in FILE_FIELDS.items():
        room = most - (already if name == "photo" else 0)
        for upload in [f for f in form.getlist(name) if getattr(f, "filename", None)][:max(room, 0)]:
            ids.append((await store(api, upload))["id"])
    return ids


async def describe(api: Api, ids: list[str]) -> list[dict]:
    """Each attachment's kind and short-lived links, for the ticket's page (missing ones left out)."""
    async def one(media_id: str):
        try:
            return await api.get("media", f"/v1/media/{media_id}")
        except ApiError:
            return None

    return [m for m in await asyncio.gather(*(one(str(i)) for i in ids)) if m]


@router.post("/upload")
async def upload(request: Request, citizen: CitizenDep, form: FormDep):
    """One file from the page's script (a photo already compressed in the browser): its media id."""
    file = form.get("file")
    if not getattr(file, "filename", None):
        return JSONResponse({"detail": "请选择要上传的文件"}, status_code=422)
    try:
        stored = await store(api_of(request), file)
    except ApiError as refused:
        return JSONResponse({"detail": refused.message}, status_code=refused.status)
    return JSONResponse({"id": stored["id"], "kind": stored["kind"],
                         "kind_name": KIND_NAMES.get(stored["kind"], "附件")}, status_code=201)
