"""Uploads through the HTTP API into the real S3 server: typed by bytes, refused when wrong."""

import asyncio
import dataclasses
import hashlib
import io

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from services.media.inspect import MIB
from services.media.models import objects
from services.media.s3server import free_ports
from services.media.storage import ObjectStore
from tests.media import samples
from tests.media.flow import citizen, upload, uploaded

ANYTHING = "不支持的文件类型，仅支持 JPEG/PNG/HEIC/WebP 图片、MP4/MOV 视频和 AMR/MP3/M4A/WAV/SILK 语音"
CHUNK = 64 * 1024
BOUNDARY = "media-test-boundary"
STORED_AS = {"heic": "image/jpeg"}


async def download(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url)


async def rows_of(media, owner: str) -> int:
    async with media.app.state.db.transaction() as session:
        return await session.scalar(select(func.count()).where(objects.c.owner == owner))


async def bucket_keys(store) -> set[str]:
    listed = await asyncio.to_thread(
        lambda: list(store.client.list_objects(store.bucket, recursive=True)))
    return {item.object_name for item in listed}


def multipart_head(filename: str = "big.jpg") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()


class EndlessPhoto:
    """A multipart body with a JPEG far larger than any limit, counting what was taken of it."""

    def __init__(self, total: int = 100 * MIB):
        self.total, self.consumed = total, 0

    async def __aiter__(self):
        first = multipart_head() + samples.jpeg()
        self.consumed += len(first)
        yield first
        while self.consumed < self.total:
            self.consumed += CHUNK
            yield bytes(CHUNK)


@pytest.mark.parametrize("name", samples.ACCEPTED)
async def test_each_allowed_type_is_stored_whatever_name_and_type_were_declared(media, settings, name):
    make, kind, content_type = samples.ACCEPTED[name]
    data = make()

    body = await uploaded(media, citizen(settings), data, name="upload.bin",
                          content_type="application/octet-stream")

    assert (body["kind"], body["content_type"]) == (kind, STORED_AS.get(name, content_type))
    assert body["state"] == "stored"
    stored = await download(body["url"])
    assert stored.status_code == 200
    assert stored.headers["content-type"] == body["content_type"]
    assert (len(stored.content), hashlib.sha256(stored.content).hexdigest()) == (body["size"], body["sha256"])
    if kind != "image":
        assert stored.content == data
    assert (body["thumbnail_url"] is not None) == (kind == "image")


async def test_upload_announces_media_stored(media, settings, events):
    owner = citizen(settings)

    body = await uploaded(media, owner, samples.amr(), name="voice.amr", content_type="audio/amr")

    [event] = await events.collect(lambda m: m["type"] == "media.stored"
                                   and m["data"]["media_id"] == body["id"])
    assert event["producer"] == "media"
    assert event["data"] == {"media_id": body["id"], "kind": "audio", "content_type": "audio/amr",
                             "size": len(samples.amr()), "sha256": hashlib.sha256(samples.amr()).hexdigest(),
                             "owner": owner.subject}


async def test_disguised_executable_is_refused_and_nothing_is_stored(media, settings):
    owner, before = citizen(settings), await bucket_keys(media.store)

    response = await upload(media, owner, samples.elf(), name="photo.jpg", content_type="image/jpeg")

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "不支持的文件类型"
    assert response.json()["detail"] == ANYTHING
    assert await rows_of(media, owner.subject) == 0
    assert await bucket_keys(media.store) == before


async def test_oversized_photo_is_refused_after_reading_just_past_the_limit(media, settings):
    owner, body = citizen(settings), EndlessPhoto()

    response = await media.post("/v1/media", content=body, headers={
        **owner.headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

    assert response.status_code == 413
    assert (response.json()["title"], response.json()["detail"]) == ("文件过大", "图片不能超过 2 MB")
    assert 2 * MIB < body.consumed <= 2 * MIB + 3 * CHUNK
    assert await rows_of(media, owner.subject) == 0


async def test_voice_over_its_limit_is_refused(media, settings):
    response = await upload(media, citizen(settings), samples.amr().ljust(MIB + 1, b"\0"),
                            name="voice.amr", content_type="audio/amr")

    assert (response.status_code, response.json()["detail"]) == (413, "语音不能超过 1 MB")


async def test_body_declared_larger_than_any_limit_is_refused_before_reading(media, settings):
    response = await media.post("/v1/media", content=b"x", headers={
        **citizen(settings).headers, "Content-Length": str(10 * 1024 * MIB),
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_photo_loses_gps_and_device_and_stays_upright(media, settings):
    body = await uploaded(media, citizen(settings), samples.jpeg(orientation=6, size=(400, 200)))

    stored = (await download(body["url"])).content
    photo = Image.open(io.BytesIO(stored))
    assert photo.getexif().get_ifd(samples.GPS_IFD) == {}
    assert samples.DEVICE.encode() not in stored and b"HUAWEI" not in stored
    assert photo.size == (200, 400)
    thumbnail = Image.open(io.BytesIO((await download(body["thumbnail_url"])).content))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 320


async def test_upload_without_a_file_field_names_the_field(media, settings):
    response = await media.post("/v1/media", files={"photo": ("a.jpg", samples.jpeg(), "image/jpeg")},
                                headers=citizen(settings).headers)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "请选择要上传的文件"}]


async def test_json_instead_of_a_form_names_the_field(media, settings):
    response = await media.post("/v1/media", json={"file": "aGVsbG8="}, headers=citizen(settings).headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


async def test_cut_off_upload_is_refused_and_not_stored(media, settings):
    owner = citizen(settings)

    response = await media.post("/v1/media", content=multipart_head() + samples.jpeg(), headers={
        **owner.headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

    assert (response.status_code, response.json()["title"]) == (400, "上传内容不完整")
    assert await rows_of(media, owner.subject) == 0


async def test_upload_needs_a_login(media):
    response = await media.post("/v1/media", files={"file": ("a.jpg", samples.jpeg(), "image/jpeg")})

    assert response.status_code == 401


async def test_upload_over_a_real_connection(media, settings):
    async with httpx.AsyncClient(base_url=media.url) as http:
        response = await upload(http, citizen(settings), samples.heic(), name="IMG_0001.HEIC",
                                content_type="image/heic")

    assert (response.status_code, response.json()["content_type"]) == (201, "image/jpeg")


async def test_oversized_photo_over_a_real_connection_gets_the_413(media, settings):
    async with httpx.AsyncClient(base_url=media.url) as http:
        response = await http.post("/v1/media", content=EndlessPhoto(20 * MIB), headers={
            **citizen(settings).headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

    assert (response.status_code, response.json()["detail"]) == (413, "图片不能超过 2 MB")


async def test_an_object_store_out_of_reach_is_a_503_to_retry_and_nothing_is_recorded(media, settings):
    working = media.app.state.media
    nowhere = ObjectStore(f"127.0.0.1:{free_ports(1)[0]}", "nobody", "nothing", working.store.bucket)
    media.app.state.media = dataclasses.replace(working, store=nowhere)
    who = citizen(settings)
    try:
        response = await upload(media, who, samples.jpeg())
    finally:
        media.app.state.media = working
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"]
    assert response.json()["detail"] == "文件存储暂时无法访问，请稍后重试"
    assert await rows_of(media, who.subject) == 0
