"""Uploads never hold a chunk (let alone a file) in memory: they copy small blocks to disk."""

from __future__ import annotations

import io
import json

import pytest
from django.core.handlers.wsgi import LimitedStream
from django.test import RequestFactory
from django.urls import reverse

from storyteller import uploads
from storyteller.views.upload import upload_chunk

pytestmark = pytest.mark.django_db


class TrackingStream(io.RawIOBase):
    """A request body of `size` bytes, produced on demand, that records how it is read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.reads: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            raise AssertionError("the whole body was asked for at once")
        self.reads.append(n)
        n = min(n, self.size - self.position)
        self.position += n
        return b"\0" * n

    def readline(self, *args) -> bytes:
        raise AssertionError("the body was read as lines")


def test_a_chunk_is_copied_in_blocks_of_at_most_64_kib(storyteller):
    size = 20 * 1024 * 1024
    session = uploads.upload_session_start(owner=storyteller, filename="big.wav", size=size)
    stream = TrackingStream(size)
    uploads.upload_chunk_append(session=session, offset=0, stream=stream, length=size)
    assert session.received_bytes == size
    assert uploads.partial_path(session).stat().st_size == size
    assert max(stream.reads) <= uploads.BLOCK == 64 * 1024
    assert len(stream.reads) >= size // uploads.BLOCK


def test_the_chunk_view_reads_the_request_stream_in_blocks(storyteller, settings):
    # Were the view to read request.body, Django would refuse anything over this.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    size = 9 * 1024 * 1024
    session = uploads.upload_session_start(owner=storyteller, filename="big.wav", size=size)
    stream = TrackingStream(size)
    request = RequestFactory().generic(
        "PUT",
        reverse("storyteller:upload_chunk", args=[session.pk]),
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET="0",
    )
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(stream, size)
    request.user = storyteller
    request._dont_enforce_csrf_checks = True
    response = upload_chunk(request, session_id=session.pk)
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["offset"] == size
    assert max(stream.reads) <= uploads.BLOCK
    assert stream.position == size


def test_a_plain_form_upload_is_copied_in_blocks_too(storyteller, tmp_path):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from tests.storyteller_helpers import speech_wav

    wav = speech_wav(tmp_path).read_bytes()
    uploaded = TemporaryUploadedFile("speech.wav", "audio/wav", len(wav), None)
    uploaded.write(wav)
    uploaded.seek(0)
    reads: list[int] = []
    original = uploaded.file.read

    def read(n=-1):
        reads.append(n)
        return original(n)

    uploaded.file.read = read
    session = uploads.upload_session_from_file(owner=storyteller, uploaded=uploaded)
    assert session.status == "ready"
    assert reads and all(0 < n <= uploads.BLOCK for n in reads)
