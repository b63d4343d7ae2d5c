"""What an upload really is, decided from its bytes, and a bounded streaming reader for it."""

import hashlib
from collections.abc import AsyncIterable, Collection
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Self

IMAGE, VIDEO, AUDIO = "image", "video", "audio"
KINDS = (IMAGE, VIDEO, AUDIO)
HEAD_SIZE = 64
MIB = 1024 * 1024
# Uploads up to this size stay in memory; larger ones roll over to a temporary file.
SPOOL_MEMORY = 1 * MIB

KIND_NAMES = {IMAGE: "图片", VIDEO: "视频", AUDIO: "语音"}
KIND_FORMATS = {IMAGE: "JPEG/PNG/HEIC/WebP", VIDEO: "MP4/MOV", AUDIO: "AMR/MP3/M4A/WAV/SILK"}


@dataclass(frozen=True)
class Detected:
    """The type of an upload as its bytes show it."""

    kind: str
    content_type: str
    extension: str


@dataclass(frozen=True)
class Limits:
    """Largest accepted size in bytes per kind."""

    image: int = 10 * MIB
    audio: int = 10 * MIB
    video: int = 200 * MIB

    def of(self, kind: str) -> int:
        """The limit for one kind."""
        return getattr(self, kind)


class MediaError(Exception):
    """A refused upload; carries the HTTP status and a message for the citizen."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class UnsupportedMedia(MediaError):
    """The bytes are not one of the accepted formats."""

    status = 415
    title = "Unsupported Media Type"

    @classmethod
    def for_kinds(cls, kinds: Collection[str] = KINDS) -> "UnsupportedMedia":
        """The refusal listing what the given kinds accept."""
        names = [f"{KIND_FORMATS[k]} {KIND_NAMES[k]}" for k in KINDS if k in kinds]
        listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + "和 " + names[-1]
        return cls(f"不支持的文件类型，仅支持 {listed}")


class MediaTooLarge(MediaError):
    """The upload passed the size limit of its kind."""

    status = 413
    title = "Content Too Large"

    @classmethod
    def for_kind(cls, kind: str, limit: int) -> "MediaTooLarge":
        """The refusal naming the kind and its limit in MB."""
        return cls(f"{KIND_NAMES[kind]}不能超过 {limit / MIB:g} MB")


JPEG = Detected(IMAGE, "image/jpeg", "jpg")
PNG = Detected(IMAGE, "image/png", "png")
WEBP = Detected(IMAGE, "image/webp", "webp")
HEIC = Detected(IMAGE, "image/heic", "heic")
HEIF = Detected(IMAGE, "image/heif", "heif")
MP4 = Detected(VIDEO, "video/mp4", "mp4")
MOV = Detected(VIDEO, "video/quicktime", "mov")
M4A = Detected(AUDIO, "audio/mp4", "m4a")
AAC = Detected(AUDIO, "audio/aac", "aac")
MP3 = Detected(AUDIO, "audio/mpeg", "mp3")
AMR = Detected(AUDIO, "audio/amr", "amr")
AMR_WB = Detected(AUDIO, "audio/amr-wb", "awb")
WAV = Detected(AUDIO, "audio/wav", "wav")
SILK = Detected(AUDIO, "audio/silk", "silk")

PREFIXES = [
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"#!AMR\n", AMR),
    (b"#!AMR-WB\n", AMR_WB),
    (b"#!SILK_V3", SILK),
    # WeChat prefixes its SILK voice files with one 0x02 byte.
    (b"\x02#!SILK_V3", SILK),
    (b"ID3", MP3),
]
# These only say "HEIF structure"; the codec brand beside them decides.
GENERIC_HEIF = {b"mif1", b"msf1"}
AV1_BRANDS = {b"avif", b"avis"}
RIFF_FORMS = {b"WEBP": WEBP, b"WAVE": WAV}
BRANDS = {
    **dict.fromkeys([b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"], HEIC),
    **dict.fromkeys([b"M4A ", b"M4B "], M4A),
    b"qt  ": MOV,
    **dict.fromkeys(
        [b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
         b"M4V ", b"M4VH", b"M4VP", b"MSNV"], MP4),
}


def sniff(head: bytes) -> Detected | None:
    """The accepted type the first bytes of a file show, or None."""
    for prefix, detected in PREFIXES:
        if head.startswith(prefix):
            return detected
    if head[:4] == b"RIFF":
        return RIFF_FORMS.get(head[8:12])
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    return _mpeg_audio(head)


def _iso_bmff(head: bytes) -> Detected | None:
    major = head[8:12]
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = [head[i:i + 4] for i in range(16, box_end - 3, 4)]
    if major in GENERIC_HEIF:
        return _heif_codec(compatible)
    for brand in [major, *compatible]:
        if brand in BRANDS:
            return BRANDS[brand]
    return None


def _heif_codec(compatible: list[bytes]) -> Detected | None:
    if any(BRANDS.get(brand) is HEIC for brand in compatible):
        return HEIC
    # AVIF shares the HEIF structure but needs an AV1 decoder we do not ship.
    return None if AV1_BRANDS & set(compatible) else HEIF


def _mpeg_audio(head: bytes) -> Detected | None:
    if len(head) < 4 or head[0] != 0xFF:
        return None
    if head[1] & 0xF6 == 0xF0:
        return AAC
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    frame_sync = head[1] & 0xE0 == 0xE0
    if frame_sync and version != 1 and layer != 0 and bitrate != 0xF and rate != 3:
        return MP3
    return None


def identify(head: bytes, kinds: Collection[str] = KINDS) -> Detected:
    """The type of the first bytes, or UnsupportedMedia if it is not one of the kinds."""
    detected = sniff(head)
    if detected is None or detected.kind not in kinds:
        raise UnsupportedMedia.for_kinds(kinds)
    return detected


@dataclass
class Received:
    """An upload read to its end: its type, size, sha256 and its bytes in a spooled file."""

    detected: Detected
    size: int
    sha256: str
    file: SpooledTemporaryFile = field(repr=False)

    def close(self) -> None:
        """Drop the spooled bytes."""
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Sink:
    """Writes chunks to a spooled file, identifying the type and enforcing its limit."""

    def __init__(self, limits: Limits, kinds: Collection[str]):
        self.limits, self.kinds = limits, kinds
        # Not a with-block: the file outlives the read, Received owns and closes it.
        self.file = SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        self.digest = hashlib.sha256()
        self.head = b""
        self.detected: Detected | None = None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.detected is None:
            self.head += chunk[:HEAD_SIZE - len(self.head)]
            if len(self.head) == HEAD_SIZE:
                self.detected = identify(self.head, self.kinds)
        self._check_size()
        self.digest.update(chunk)
        self.file.write(chunk)

    def finish(self) -> Received:
        if self.detected is None:
            self.detected = identify(self.head, self.kinds)
        self._check_size()
        self.file.seek(0)
        return Received(self.detected, self.size, self.digest.hexdigest(), self.file)

    def _check_size(self) -> None:
        # Checked before the chunk is stored, so an oversized upload is never kept whole.
        if self.detected and self.size > self.limits.of(self.detected.kind):
            raise MediaTooLarge.for_kind(self.detected.kind, self.limits.of(self.detected.kind))


async def receive(
    chunks: AsyncIterable[bytes], limits: Limits = Limits(), kinds: Collection[str] = KINDS
) -> Received:
    """Read an upload stream into a spooled file, refusing a wrong type or size early."""
    sink = _Sink(limits, kinds)
    try:
        async for chunk in chunks:
            sink.write(chunk)
        return sink.finish()
    except BaseException:
        sink.file.close()
        raise
