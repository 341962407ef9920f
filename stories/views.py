"""The only way to a story's recording or photo: through the visibility rule, streamed.

Byte ranges are honoured (206 Partial Content), so players can seek in long recordings.
A withdrawn story's files answer 410 Gone; anything the visitor may not see answers 404. Where
words were taken out, everyone but the storyteller gets the redacted recording, or 503 while it
is being made (`stories.redactions.media_for`).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from stories.audience import audience_for
from stories.models import Story, StoryPhoto
from stories.redactions import media_for

BLOCK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_TYPES = {
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".jpg": "image/jpeg",
}


@require_safe
def story_media(request: HttpRequest, pk: int, part: str) -> HttpResponseBase:
    audience = audience_for(request.user)
    story = Story.objects.visible_to(audience).filter(pk=pk).first()
    if story is None:
        if Story.objects.was_withdrawn(pk):
            return HttpResponse("This story was withdrawn by its storyteller.", status=410)
        raise Http404("No such recording.")
    if part == "media" and story.has_media:
        field = media_for(story, audience, want_redacted=request.GET.get("version") == "redacted")
        if field is None:
            return _being_remade()
    else:
        field = _file_of(story, part)
    if not field or not field.name:
        raise Http404("This story has no such file.")
    content_type = media_type(field.name, story.kind)
    try:
        size = field.size
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = _ranged(request, handle, size, content_type)
    response["Accept-Ranges"] = "bytes"
    # Never in a shared cache: a withdrawal must take effect everywhere at once.
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


def _being_remade() -> HttpResponse:
    """Words were taken out of the recording and the redacted one is not ready (or did not
    pass its check): nobody gets the recording until it is, never the unredacted one."""
    response = HttpResponse(
        "This recording is being prepared again because some words were taken out of it. "
        "Read the transcript meanwhile, or try again in a few minutes.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "120"
    response["Cache-Control"] = "private, no-store"
    return response


def _file_of(story: Story, part: str) -> FieldFile | None:
    if part == "media":
        media: FieldFile = story.media
        return media
    if part == "photo":
        photo = StoryPhoto.objects.filter(story=story).first()
        image: FieldFile | None = photo.image if photo else None
        return image
    return None


def media_type(name: str, kind: str) -> str:
    """The media type a stored file is served with (an audio story's WebM is audio/webm)."""
    suffix = PurePosixPath(name).suffix.lower()
    guessed = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind == "audio" and guessed.startswith("video/"):
        guessed = "audio/" + guessed.split("/", 1)[1]
    return guessed


def _ranged(
    request: HttpRequest, handle: IO[bytes], size: int, content_type: str
) -> HttpResponseBase:
    match = _RANGE.match(request.headers.get("Range", "").replace(" ", ""))
    if not match or not any(match.groups()):
        whole = FileResponse(handle, content_type=content_type)
        whole["Content-Length"] = str(size)
        return whole
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    if start >= size or start > end:
        handle.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    handle.seek(start)
    response = StreamingHttpResponse(
        _read_span(handle, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Length"] = str(end - start + 1)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _read_span(handle: IO[bytes], remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            block = handle.read(min(BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()
