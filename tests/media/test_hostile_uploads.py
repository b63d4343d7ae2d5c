"""Files made to hurt: a decompression bomb, photos carrying a web page or an archive, and
script-capable images. Each is refused or defused; nothing hostile reaches a handler."""

import struct
import zlib

from sqlalchemy import func, select

from services.media.models import objects
from tests.media import samples
from tests.media.flow import citizen, upload, uploaded
from tests.media.test_api import download

PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
ARCHIVE = b"PK\x03\x04" + b"\x14\x00" * 10 + b"payload.exe" + b"MZ\x90\x00" * 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 30_000) -> bytes:
    """A PNG that claims 30,000 × 30,000 pixels (900 million, 2.7 GB decoded) in a few bytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * side) * 8, 9)  # the first rows; the rest never come
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


async def test_a_decompression_bomb_is_refused_before_it_is_decoded(media, settings):
    who = citizen(settings)
    bomb = bomb_png()
    assert len(bomb) < 200_000

    response = await upload(media, who, bomb, name="bomb.png", content_type="image/png")

    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "百万像素" in response.json()["detail"]
    async with media.app.state.db.transaction() as session:
        assert await session.scalar(select(func.count()).where(objects.c.owner == who.subject)) == 0


async def test_a_photo_carrying_a_page_and_an_archive_is_stored_without_them(media, settings):
    polyglot = samples.jpeg() + PAGE + ARCHIVE

    stored = await uploaded(media, citizen(settings), polyglot)

    served = await download(stored["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content[:3] == b"\xff\xd8\xff"
    assert b"<script" not in served.content and b"PK\x03\x04" not in served.content
    assert b"MZ\x90" not in served.content


async def test_a_page_or_a_script_capable_image_is_refused_by_its_bytes(media, settings):
    who = citizen(settings)
    disguised = [
        ("photo.jpg", PAGE, "image/jpeg"),
        ("map.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "image/svg+xml"),
        ("anim.gif", b"GIF89a/*\x00\x00*/=1;alert(1)//", "image/gif"),
        ("archive.jpg", ARCHIVE, "image/jpeg"),
    ]
    for name, data, content_type in disguised:
        response = await upload(media, who, data, name=name, content_type=content_type)
        assert response.status_code == 415, (name, response.text)
        assert "不支持的文件类型" in response.json()["detail"]
