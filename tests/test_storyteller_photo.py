"""A story's photo is re-encoded without EXIF; bombs, giants and non-pictures are refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from stories.models import Story, StoryPhoto
from stories.photos import PhotoRefused, photo_clean
from tests.storyteller_helpers import jpeg_with_gps, story_form

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "garden.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that claims to be `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_exif_and_gps_are_removed_and_the_photo_turned_upright():
    original = jpeg_with_gps(64, 48)
    with Image.open(io.BytesIO(original)) as img:
        assert img.getexif().get_ifd(0x8825)  # it really carries a GPS position
    clean = photo_clean(upload(original), alt_text=" The garden ")
    with Image.open(io.BytesIO(clean.data)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()  # no EXIF at all: no GPS, no camera, no orientation
        assert "exif" not in img.info and "xmp" not in img.info
        assert img.size == (48, 64)  # orientation 6 applied before EXIF was dropped
    assert clean.alt_text == "The garden"


def test_a_photo_goes_with_the_story_and_is_stored_privately(client, storyteller, settings):
    client.force_login(storyteller)
    data = story_form(photo=upload(jpeg_with_gps()), photo_alt="Our allotment")
    assert client.post(reverse("storyteller:new"), data).status_code == 302
    photo = StoryPhoto.objects.get(story=Story.objects.get())
    assert photo.alt_text == "Our allotment"
    assert photo.image.path.startswith(str(settings.ARCHIVE_PRIVATE_MEDIA_ROOT))
    with Image.open(photo.image.path) as img:
        assert not img.getexif()


def test_a_photo_needs_a_description(client, storyteller):
    client.force_login(storyteller)
    html = client.post(
        reverse("storyteller:new"), story_form(photo=upload(jpeg_with_gps()))
    ).content.decode()
    assert "Describe the photo in a few words" in html
    assert Story.objects.count() == 0


def test_a_decompression_bomb_is_refused():
    bomb = png_header_only(50_000, 50_000)  # 2.5 gigapixels in a few bytes
    with pytest.raises(PhotoRefused, match="could harm the server"):
        photo_clean(upload(bomb, "bomb.png"), alt_text="x")


def test_a_picture_over_40_megapixels_is_refused(settings):
    giant = png_header_only(8000, 6000)  # 48 megapixels: under Pillow's own limit
    with pytest.raises(PhotoRefused, match="8000 by 6000 pixels, more than the 40 megapixels"):
        photo_clean(upload(giant, "giant.png"), alt_text="x")


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.ARCHIVE_MAX_PHOTO_BYTES = 100
    with pytest.raises(PhotoRefused, match="a photo can be at most"):
        photo_clean(upload(jpeg_with_gps()), alt_text="x")


def test_a_file_that_is_not_a_picture_is_refused_with_what_to_do(client, storyteller):
    client.force_login(storyteller)
    data = story_form(photo=upload(b"not a picture at all", "me.jpg"), photo_alt="Me")
    html = client.post(reverse("storyteller:new"), data).content.decode()
    assert "me.jpg is not a picture we can read" in html
    assert "Upload a JPEG or PNG photo" in html
    assert 'href="#id_photo"' in html
    assert Story.objects.count() == 0


def test_an_empty_photo_is_refused():
    with pytest.raises(PhotoRefused, match="empty"):
        photo_clean(upload(b"", "x.jpg"), alt_text="x")
