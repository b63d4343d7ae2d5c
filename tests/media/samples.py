"""Small valid files of every accepted type, made in code, and a disguised executable."""

import io
import struct
import wave

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

ORIENTATION, MAKE, MODEL, GPS_IFD = 0x0112, 0x010F, 0x0110, 0x8825
DEVICE = "HUAWEI-P60-TESTDEVICE"
# 文山州 (Wenshan): where the photo was taken, which must not leak to handlers.
GPS = {1: "N", 2: (23.0, 22.0, 10.0), 3: "E", 4: (104.0, 14.0, 30.0)}
RED, BLUE = (255, 0, 0), (0, 0, 255)


def camera_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: orientation, device and a GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE], exif[MODEL] = "HUAWEI", DEVICE
    exif[GPS_IFD] = dict(GPS)
    return exif


def sideways_photo(width: int = 40, height: int = 20) -> Image.Image:
    """Left half red, right half blue, as a sensor stores a photo taken in portrait."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(Image.new("RGB", (width // 2, height), RED), (0, 0))
    return image


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    """The image saved in one format."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg(orientation: int = 6, size: tuple[int, int] = (40, 20)) -> bytes:
    """A JPEG with GPS and device EXIF; orientation 6 means 'turn 90° clockwise to view'."""
    return encode(sideways_photo(*size), "JPEG", exif=camera_exif(orientation), comment=DEVICE)


def png() -> bytes:
    """A PNG with transparency and an EXIF chunk."""
    return encode(Image.new("RGBA", (30, 20), (0, 128, 0, 128)), "PNG", exif=camera_exif())


def webp() -> bytes:
    """A WebP with GPS EXIF."""
    return encode(sideways_photo(), "WEBP", exif=camera_exif())


def heic() -> bytes:
    """An iPhone-style HEIC with GPS EXIF."""
    return encode(sideways_photo(), "HEIF", exif=camera_exif(), quality=50)


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO-BMFF ftyp box followed by an empty mdat box."""
    body = major + struct.pack(">I", 0x200) + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 8) + b"mdat"


def mp4() -> bytes:
    """The start of an MP4 as Android phones record it."""
    return ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41") + bytes(200)


def mov() -> bytes:
    """The start of a QuickTime movie as iPhones record it."""
    return ftyp(b"qt  ", b"qt  ") + bytes(200)


def m4a() -> bytes:
    """The start of an AAC recording in an MPEG-4 container."""
    return ftyp(b"M4A ", b"M4A ", b"mp42", b"isom") + bytes(200)


def amr() -> bytes:
    """An AMR-NB file: the magic and ten 12.2 kbit/s frames."""
    return b"#!AMR\n" + (b"\x3c" + bytes(31)) * 10


def mp3() -> bytes:
    """An MP3 with an ID3v2 tag before its first frame."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3_frames()


def mp3_frames() -> bytes:
    """Bare MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, without a tag."""
    return (b"\xff\xfb\x90\x64" + bytes(413)) * 3


def adts() -> bytes:
    """Raw AAC in ADTS frames (MPEG-4, no CRC)."""
    return (b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(9)) * 4


def wav() -> bytes:
    """A short silent 8 kHz mono WAV written by the wave module."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    return buffer.getvalue()


def silk(wechat: bool = True) -> bytes:
    """A SILK v3 voice message; WeChat puts a 0x02 byte before the magic."""
    return (b"\x02" if wechat else b"") + b"#!SILK_V3" + b"\x14\x00" + bytes(20) * 5


def elf() -> bytes:
    """A Linux executable, as someone might upload it named photo.jpg."""
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200)


ACCEPTED = {
    "jpeg": (jpeg, "image", "image/jpeg"),
    "png": (png, "image", "image/png"),
    "webp": (webp, "image", "image/webp"),
    "heic": (heic, "image", "image/heic"),
    "mp4": (mp4, "video", "video/mp4"),
    "mov": (mov, "video", "video/quicktime"),
    "m4a": (m4a, "audio", "audio/mp4"),
    "aac": (adts, "audio", "audio/aac"),
    "amr": (amr, "audio", "audio/amr"),
    "mp3": (mp3, "audio", "audio/mpeg"),
    "mp3-frames": (mp3_frames, "audio", "audio/mpeg"),
    "wav": (wav, "audio", "audio/wav"),
    "silk": (silk, "audio", "audio/silk"),
    "silk-plain": (lambda: silk(wechat=False), "audio", "audio/silk"),
}
