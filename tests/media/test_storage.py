"""The object store against a real SeaweedFS S3 server: bytes in, presigned URLs out."""

import hashlib
import io
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from minio.error import S3Error

from services.media.inspect import MIB, receive
from services.media.s3server import answers, ensure_s3, free_ports
from services.media.storage import ObjectStore, object_key
from tests.media import samples
from tests.media.conftest import ACCESS_KEY, SECRET_KEY

MEDIA_ID = uuid.UUID("6f1c2a9e-8d4b-4c1e-9a57-3b2d1e0f4a6c")


def new_key(suffix: str = "") -> str:
    return object_key(uuid.uuid4(), datetime.now(UTC), suffix)


async def put_bytes(store: ObjectStore, data: bytes, content_type: str) -> str:
    key = new_key()
    await store.put(key, io.BytesIO(data), len(data), content_type)
    return key


def test_object_key_is_by_utc_date_and_id():
    beijing = timezone(timedelta(hours=8))
    created = datetime(2026, 11, 24, 1, 30, tzinfo=beijing)

    assert object_key(MEDIA_ID, created) == f"2026/11/23/{MEDIA_ID}"
    assert object_key(str(MEDIA_ID), created, ".thumb.jpg") == f"2026/11/23/{MEDIA_ID}.thumb.jpg"


def test_object_key_refuses_anything_but_an_id():
    with pytest.raises(ValueError):
        object_key("../../etc/passwd", datetime.now(UTC))


async def test_stored_photo_is_described_and_served_by_presigned_get(store):
    photo = samples.jpeg()
    key = await put_bytes(store, photo, "image/jpeg")

    found = await store.stat(key)
    async with httpx.AsyncClient() as http:
        response = await http.get(store.presigned_get(key, timedelta(minutes=5)))

    assert (found.size, found.content_type) == (len(photo), "image/jpeg")
    assert response.status_code == 200
    assert response.content == photo
    assert response.headers["content-type"] == "image/jpeg"


async def test_presigned_put_lets_a_client_upload_and_get_head_checks_it(store):
    key = new_key()
    voice = samples.silk()

    async with httpx.AsyncClient() as http:
        response = await http.put(store.presigned_put(key, timedelta(minutes=5)), content=voice)

    assert response.status_code == 200
    assert (await store.stat(key)).size == len(voice)
    assert await store.get_head(key, 64) == voice[:64]


async def test_spooled_upload_of_several_mb_round_trips(store):
    video = samples.mp4() + bytes(range(256)) * (6 * MIB // 256)
    key = new_key()

    with await receive(_chunks(video)) as received:
        await store.put(key, received.file, received.size, received.detected.content_type)

    async with httpx.AsyncClient() as http:
        response = await http.get(store.presigned_get(key))
    assert hashlib.sha256(response.content).hexdigest() == received.sha256


async def _chunks(data: bytes):
    for start in range(0, len(data), 256 * 1024):
        yield data[start:start + 256 * 1024]


async def test_deleted_object_is_gone(store):
    key = await put_bytes(store, samples.amr(), "audio/amr")

    await store.delete(key)

    assert await store.stat(key) is None
    assert await store.get_head(key, 16) is None
    async with httpx.AsyncClient() as http:
        assert (await http.get(store.presigned_get(key))).status_code == 404
    await store.delete(key)


async def test_missing_object_has_no_stat(store):
    assert await store.stat(new_key()) is None


async def test_head_of_an_empty_object_is_empty(store):
    key = await put_bytes(store, b"", "application/octet-stream")

    assert await store.get_head(key, 64) == b""


async def test_ensure_bucket_twice_is_harmless(store):
    await store.ensure_bucket()

    assert await store.stat(new_key()) is None


async def test_wrong_secret_is_refused(s3_server, store):
    intruder = ObjectStore(s3_server.endpoint, ACCESS_KEY, "not-the-secret", store.bucket)

    with pytest.raises(S3Error) as refused:
        await intruder.put(new_key(), io.BytesIO(b"x"), 1, "image/jpeg")

    assert refused.value.code == "SignatureDoesNotMatch"


async def test_presigned_url_for_a_public_host_is_signed_for_that_host(store):
    public = ObjectStore("127.0.0.1:1", ACCESS_KEY, SECRET_KEY, store.bucket,
                         public_endpoint="media.example.gov.cn")

    url = public.presigned_get(f"2026/11/23/{MEDIA_ID}")

    assert url.startswith(f"http://media.example.gov.cn/{store.bucket}/2026/11/23/{MEDIA_ID}?")


def test_stopped_server_leaves_no_process_port_or_socket(tmp_path):
    endpoint = f"127.0.0.1:{free_ports(1)[0]}"
    server = ensure_s3(endpoint, ACCESS_KEY, SECRET_KEY, tmp_path)

    server.stop(grace=0.5)

    assert server.process.returncode is not None
    assert not answers(endpoint)
    assert [p for port in server.ports for p in Path("/tmp").glob(f"seaweedfs-*-{port}.sock")] == []


def test_ensure_s3_leaves_a_running_server_alone(s3_server, tmp_path):
    assert ensure_s3(s3_server.endpoint, ACCESS_KEY, SECRET_KEY, tmp_path) is None
    assert list(tmp_path.iterdir()) == []
