"""A story's optional photo, made safe to keep: decoded by Pillow, EXIF dropped, re-encoded.

Camera photos carry EXIF: GPS position, time, camera serial numbers. None of it is kept: the
pixels are decoded, turned upright (EXIF orientation applied first), and written out as a
fresh JPEG with no metadata at all. Pictures over ARCHIVE_MAX_PHOTO_PIXELS or
ARCHIVE_MAX_PHOTO_BYTES, decompression bombs, and files that are not pictures are refused
with a reason and what to do.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from stories.models import Story, StoryPhoto

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
JPEG_QUALITY = 85


class PhotoRefused(Exception):
    """A photo we will not keep; the message says why and what to do."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # a JPEG without metadata
    width: int
    height: int
    alt_text: str


def _mb(size: int) -> str:
    return f"{size / 1024**2:.0f} MB"


def photo_clean(uploaded: UploadedFile, *, alt_text: str) -> CleanPhoto:
    """Decode and re-encode an uploaded photo without its metadata (raises PhotoRefused)."""
    name = getattr(uploaded, "name", None) or "The photo"
    size = getattr(uploaded, "size", None) or 0
    limit = settings.ARCHIVE_MAX_PHOTO_BYTES
    if size == 0:
        raise PhotoRefused(f"{name} is empty (0 bytes). Choose the photo again.")
    if size > limit:
        raise PhotoRefused(
            f"{name} is {_mb(size)}; a photo can be at most {_mb(limit)}. Choose a smaller copy "
            "(most phones can share a photo at a reduced size)."
        )
    max_pixels = settings.ARCHIVE_MAX_PHOTO_PIXELS
    megapixels = max_pixels // 1_000_000
    uploaded.seek(0)
    with warnings.catch_warnings():
        # Pillow warns (and past twice its limit, raises) on decompression bombs; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(uploaded) as img:
                if img.format not in ACCEPTED_FORMATS:
                    raise PhotoRefused(
                        f"{name} is a {img.format} picture, which we do not keep. Save it as a "
                        "JPEG or PNG and upload that."
                    )
                width, height = img.size
                if width * height > max_pixels:
                    raise PhotoRefused(
                        f"{name} is {width} by {height} pixels, more than the {megapixels} "
                        "megapixels a photo can be. Resize it and upload it again."
                    )
                img.seek(0)  # the first frame of an animation
                upright = ImageOps.exif_transpose(img)
                rgb = upright.convert("RGB") if upright.mode != "RGB" else upright.copy()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(
                f"{name} claims to be far bigger than a photo ({megapixels} megapixels at most) "
                "and could harm the server, so it was refused. Upload an ordinary photo."
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise PhotoRefused(
                f"{name} is not a picture we can read ({type(exc).__name__}). Upload a JPEG or "
                "PNG photo; if it opens on your device, save it again as JPEG."
            ) from None
    rgb.info.clear()  # no EXIF, XMP, ICC or comments travel with the pixels
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"")
    return CleanPhoto(
        data=out.getvalue(), width=rgb.width, height=rgb.height, alt_text=alt_text.strip()
    )


def story_photo_attach(*, story: Story, photo: CleanPhoto) -> StoryPhoto:
    """Store a cleaned photo as the story's photo (replacing any earlier one)."""
    old = StoryPhoto.objects.filter(story=story).first()
    if old is not None:
        old.image.delete(save=False)
        old.delete()
    record = StoryPhoto(story=story, alt_text=photo.alt_text)
    record.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(photo.data), save=False)
    record.width, record.height = photo.width, photo.height
    record.save()
    return record
