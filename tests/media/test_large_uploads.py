"""Large videos go straight to the bucket with a presigned PUT, then are checked on completion."""

import hashlib
import uuid

import httpx

from services.media.inspect import MIB
from services.media.service import find
from tests.media import samples
from tests.media.flow import citizen, intake_service

VIDEO = {"kind": "video", "content_type": "video/mp4"}


async def begin(media, who, size: int) -> dict:
    response = await media.post("/v1/media/uploads", json={**VIDEO, "size": size}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def put(url: str, data: bytes) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.put(url, content=data)).status_code


async def complete(media, who, started: dict) -> httpx.Response:
    return await media.post(started["complete_url"], headers=who.headers)


async def test_video_put_to_the_bucket_is_recorded_on_completion(media, settings, events):
    owner, video = citizen(settings), samples.mp4() + bytes(3 * MIB)
    started = await begin(media, owner, len(video))
    pending = await media.get(f"/v1/media/{started['id']}", headers=owner.headers)
    assert (pending.json()["state"], pending.json().get("url")) == ("pending_upload", None)

    assert await put(started["upload_url"], video) == 200
    response = await complete(media, owner, started)

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["kind"], body["content_type"]) == ("stored", "video", "video/mp4")
    assert (body["size"], body["sha256"]) == (len(video), hashlib.sha256(video).hexdigest())
    assert await events.collect(lambda m: m["type"] == "media.stored"
                                and m["data"]["media_id"] == started["id"])
    assert (await complete(media, owner, started)).json()["sha256"] == body["sha256"]


async def test_a_pending_upload_is_not_shown_to_intake(media, settings):
    started = await begin(media, citizen(settings), 1000)

    response = await media.get(f"/v1/media/{started['id']}", headers=intake_service(settings).headers)

    assert response.status_code == 404


async def test_executable_put_instead_of_a_video_is_deleted_on_completion(media, settings):
    owner = citizen(settings)
    started = await begin(media, owner, 1000)
    await put(started["upload_url"], samples.elf())

    response = await complete(media, owner, started)

    assert response.status_code == 415
    assert response.json()["detail"] == "不支持的文件类型，仅支持 MP4/MOV 视频"
    assert await media.store.stat(await object_key(media, started["id"])) is None
    assert (await media.get(f"/v1/media/{started['id']}", headers=owner.headers)).status_code == 404


async def test_video_larger_than_declared_and_allowed_is_deleted_on_completion(media, settings):
    owner = citizen(settings)
    started = await begin(media, owner, 1000)
    await put(started["upload_url"], samples.mov() + bytes(4 * MIB))

    response = await complete(media, owner, started)

    assert (response.status_code, response.json()["detail"]) == (413, "视频不能超过 4 MB")
    assert await media.store.stat(await object_key(media, started["id"])) is None


async def test_declared_size_over_the_limit_is_refused_at_once(media, settings):
    response = await media.post("/v1/media/uploads", json={**VIDEO, "size": 4 * MIB + 1},
                                headers=citizen(settings).headers)

    assert (response.status_code, response.json()["detail"]) == (413, "视频不能超过 4 MB")


async def test_only_videos_go_through_presigned_uploads(media, settings):
    response = await media.post("/v1/media/uploads", json={"kind": "image", "content_type": "image/jpeg",
                                                           "size": 10}, headers=citizen(settings).headers)

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "content_type"}


async def test_completing_before_the_put_says_so_and_keeps_the_upload_open(media, settings):
    owner = citizen(settings)
    started = await begin(media, owner, 1000)

    early = await complete(media, owner, started)
    await put(started["upload_url"], samples.mov())
    later = await complete(media, owner, started)

    assert (early.status_code, early.json()["title"]) == (409, "尚未上传")
    assert (later.status_code, later.json()["content_type"]) == (200, "video/quicktime")


async def test_only_the_uploader_completes(media, settings):
    started = await begin(media, citizen(settings), 1000)
    await put(started["upload_url"], samples.mp4())

    response = await complete(media, citizen(settings), started)

    assert response.status_code == 404


async def object_key(media, media_id: str) -> str:
    async with media.app.state.db.transaction() as session:
        return (await find(session, uuid.UUID(media_id)))["object_key"]
