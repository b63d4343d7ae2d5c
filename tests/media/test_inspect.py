"""Uploads are typed by their bytes, and refused early when wrong or too large."""

import hashlib
import os
import tempfile

import pytest

from services.media.inspect import (
    AUDIO,
    MIB,
    Limits,
    MediaTooLarge,
    UnsupportedMedia,
    receive,
    sniff,
)
from tests.media import samples

CHUNK = 64 * 1024


async def chunked(data: bytes, size: int = CHUNK):
    for start in range(0, len(data), size):
        yield data[start:start + size]


class Endless:
    """A JPEG upload stream far larger than any limit, counting what was taken from it."""

    def __init__(self, chunks: int = 10_000):
        self.chunks, self.consumed = chunks, 0

    async def __aiter__(self):
        for index in range(self.chunks):
            chunk = samples.jpeg() + bytes(CHUNK) if index == 0 else bytes(CHUNK)
            self.consumed += len(chunk)
            yield chunk


@pytest.mark.parametrize("name", samples.ACCEPTED)
def test_each_accepted_type_is_recognised_from_its_first_bytes(name):
    make, kind, content_type = samples.ACCEPTED[name]

    detected = sniff(make()[:64])

    assert (detected.kind, detected.content_type) == (kind, content_type)


@pytest.mark.parametrize("head", [
    samples.elf(), b"", b"GIF89a" + bytes(60), b"%PDF-1.7\n", b"PK\x03\x04" + bytes(60),
    samples.ftyp(b"avif", b"avif", b"mif1"), samples.ftyp(b"mif1", b"mif1", b"avif"),
    samples.ftyp(b"3gp4", b"3gp4"), b"RIFF\x00\x00\x00\x00AVI LIST",
])
def test_other_bytes_are_not_recognised(head):
    assert sniff(head[:64]) is None


@pytest.mark.parametrize(("compatible", "content_type"), [
    ((b"mif1", b"heic"), "image/heic"), ((b"miaf", b"mif1"), "image/heif"),
])
def test_generic_heif_brand_is_decided_by_its_codec_brand(compatible, content_type):
    assert sniff(samples.ftyp(b"mif1", *compatible)).content_type == content_type


async def test_received_upload_keeps_bytes_size_and_sha256():
    data = samples.mp4() + bytes(3 * MIB)

    with await receive(chunked(data)) as received:
        assert received.detected.extension == "mp4"
        assert received.size == len(data)
        assert received.sha256 == hashlib.sha256(data).hexdigest()
        assert received.file.read() == data


async def test_type_is_found_when_the_first_chunks_are_tiny():
    received = await receive(chunked(samples.silk(), size=1))

    assert received.detected.content_type == "audio/silk"


async def test_disguised_executable_is_refused_with_415():
    with pytest.raises(UnsupportedMedia) as refused:
        await receive(chunked(samples.elf()))

    assert refused.value.status == 415
    assert refused.value.detail == (
        "不支持的文件类型，仅支持 JPEG/PNG/HEIC/WebP 图片、MP4/MOV 视频和 AMR/MP3/M4A/WAV/SILK 语音")


async def test_photo_where_only_voice_is_accepted_is_refused():
    with pytest.raises(UnsupportedMedia) as refused:
        await receive(chunked(samples.jpeg()), kinds=[AUDIO])

    assert refused.value.detail == "不支持的文件类型，仅支持 AMR/MP3/M4A/WAV/SILK 语音"


async def test_empty_upload_is_refused():
    with pytest.raises(UnsupportedMedia):
        await receive(chunked(b""))


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_oversized_photo_is_cut_off_just_past_the_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stream, files_before = Endless(), open_files()

    with pytest.raises(MediaTooLarge) as refused:
        await receive(stream, Limits(image=2 * MIB))

    assert (refused.value.status, refused.value.detail) == (413, "图片不能超过 2 MB")
    assert 2 * MIB < stream.consumed <= 2 * MIB + 2 * CHUNK
    # Past 1 MiB the spool is a temporary file; it must be closed and gone, not left open.
    assert open_files() == files_before
    assert list(tmp_path.iterdir()) == []


async def test_default_limit_for_photos_is_10_mb():
    stream = Endless()

    with pytest.raises(MediaTooLarge, match="图片不能超过 10 MB"):
        await receive(stream)

    assert stream.consumed <= 10 * MIB + 2 * CHUNK


async def test_upload_exactly_at_the_limit_is_accepted():
    data = samples.amr().ljust(MIB, b"\0")

    received = await receive(chunked(data), Limits(audio=MIB))

    assert received.size == MIB
