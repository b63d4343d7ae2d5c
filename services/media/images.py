"""Photos made safe to share: upright, without EXIF (GPS, device), plus a small thumbnail.

CPU-bound and synchronous on purpose: callers run these with asyncio.to_thread.
"""

import io
from dataclasses import dataclass
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from services.media.inspect import MediaTooLarge, UnsupportedMedia

pillow_heif.register_heif_opener()

THUMBNAIL_SIDE = 320
# Above common phone cameras (up to ~100 MP in normal modes); a small file this large
# is more likely a decompression bomb.
MAX_PIXELS = 120_000_000
OPENABLE = ["JPEG", "PNG", "WEBP", "HEIF"]
# HEIC becomes JPEG because the handlers' browsers mostly cannot show HEIC.
OUTPUT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
CONTENT = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# Only what rendering needs survives; EXIF, XMP, comments and text chunks are dropped.
KEPT_INFO = ("icc_profile", "transparency", "gamma", "dpi")
QUALITY = 90


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded photo without metadata, with its orientation applied."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class Prepared:
    """A cleaned photo and its JPEG thumbnail, from one decoding."""

    image: CleanImage
    thumbnail: bytes


def sanitize(src: BinaryIO | bytes) -> CleanImage:
    """The photo upright and re-encoded without EXIF, GPS or other metadata."""
    image, source_format = _decode(src)
    return _clean(image, OUTPUT[source_format])


def thumbnail(src: BinaryIO | bytes, side: int = THUMBNAIL_SIDE) -> bytes:
    """A JPEG of the upright photo whose longest side is at most `side` pixels."""
    image, _ = _decode(src)
    return _thumbnail(image, side)


def prepare(src: BinaryIO | bytes, side: int = THUMBNAIL_SIDE) -> Prepared:
    """The cleaned photo and its thumbnail, decoding the upload once."""
    image, source_format = _decode(src)
    return Prepared(_clean(image, OUTPUT[source_format]), _thumbnail(image, side))


def _decode(src: BinaryIO | bytes) -> tuple[Image.Image, str]:
    """The decoded photo with its EXIF orientation applied to the pixels, and its format."""
    stream = io.BytesIO(src) if isinstance(src, bytes) else src
    try:
        with Image.open(stream, formats=OPENABLE) as original:
            _check_pixels(original)
            return ImageOps.exif_transpose(original), original.format
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMedia("图片已损坏或格式不受支持，无法读取") from exc


def _check_pixels(image: Image.Image) -> None:
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> MediaTooLarge:
    return MediaTooLarge(f"图片分辨率过大，不能超过 {MAX_PIXELS // 1_000_000} 百万像素")


def _clean(image: Image.Image, output: str) -> CleanImage:
    image.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    if output == "JPEG":
        image = _opaque(image)
    buffer = io.BytesIO()
    image.save(buffer, output, quality=QUALITY, icc_profile=image.info.get("icc_profile"))
    content_type, extension = CONTENT[output]
    return CleanImage(buffer.getvalue(), content_type, extension, image.width, image.height)


def _thumbnail(image: Image.Image, side: int) -> bytes:
    small = _opaque(image)
    small = small.convert("RGB") if small.mode != "RGB" else small.copy()
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def _opaque(image: Image.Image) -> Image.Image:
    """The image in a mode JPEG can store, transparency flattened onto white."""
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    background.info = image.info
    return background
