"""Photos lose their EXIF (GPS, device) but keep their orientation; thumbnails are small."""

import io

import pytest
from PIL import Image

from services.media.images import prepare, sanitize, thumbnail
from services.media.inspect import UnsupportedMedia
from tests.media import samples


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert samples.GPS_IFD not in image.getexif()
    assert image.getexif().get_ifd(samples.GPS_IFD) == {}
    assert "exif" not in image.info and "comment" not in image.info
    assert samples.DEVICE.encode() not in data


def test_sample_photo_really_carries_gps_and_device():
    original = opened(samples.jpeg())

    assert original.getexif().get_ifd(samples.GPS_IFD) == samples.GPS
    assert samples.DEVICE.encode() in samples.jpeg()


def test_jpeg_loses_gps_device_and_comment():
    clean = sanitize(samples.jpeg())

    assert clean.content_type == "image/jpeg"
    assert_no_metadata(clean.data)


def test_jpeg_orientation_is_applied_to_the_pixels():
    clean = sanitize(io.BytesIO(samples.jpeg(orientation=6, size=(40, 20))))

    image = opened(clean.data).convert("RGB")
    assert (clean.width, clean.height) == image.size == (20, 40)
    # Turned 90° clockwise: the red left half of the sensor image is now on top.
    top, bottom = image.getpixel((10, 2)), image.getpixel((10, 37))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]
    assert image.getexif().get(samples.ORIENTATION) in (None, 1)


@pytest.mark.parametrize(("make", "content_type"), [
    (samples.png, "image/png"), (samples.webp, "image/webp"), (samples.heic, "image/jpeg"),
])
def test_other_formats_lose_gps_too(make, content_type):
    assert opened(make()).getexif().get_ifd(samples.GPS_IFD) == samples.GPS

    clean = sanitize(make())

    assert clean.content_type == content_type
    assert opened(clean.data).format == clean.extension.upper().replace("JPG", "JPEG")
    assert_no_metadata(clean.data)


def test_png_keeps_its_transparency():
    clean = sanitize(samples.png())

    assert opened(clean.data).getpixel((0, 0)) == (0, 128, 0, 128)


def test_thumbnail_is_a_jpeg_at_most_320_pixels_long():
    data = thumbnail(samples.jpeg(orientation=6, size=(1000, 600)))

    image = opened(data)
    assert image.format == "JPEG"
    assert image.size == (192, 320)
    assert "exif" not in image.info


def test_prepare_gives_clean_photo_and_thumbnail_from_one_decoding():
    prepared = prepare(samples.heic())

    assert max(opened(prepared.thumbnail).size) <= 320
    assert_no_metadata(prepared.image.data)


def test_small_photo_is_not_enlarged_for_its_thumbnail():
    assert opened(thumbnail(samples.png())).size == (30, 20)


def test_truncated_photo_is_refused_not_crashed():
    with pytest.raises(UnsupportedMedia) as refused:
        sanitize(samples.jpeg(size=(400, 300))[:300])

    assert refused.value.status == 415
