"""The chunked upload API: offsets, resuming after a dropped connection, refusals, ownership."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from stories.models import UploadSession, UploadStatus
from storyteller import uploads
from tests.storyteller_helpers import speech_wav

pytestmark = pytest.mark.django_db

START = reverse("storyteller:upload_start")


def start(client, name: str, size: int):
    return client.post(START, json.dumps({"name": name, "size": size}), "application/json")


def put(client, url: str, offset: int, data: bytes):
    return client.generic(
        "PUT",
        url,
        data,
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
    )


@pytest.fixture
def wav_bytes(tmp_path) -> bytes:
    return speech_wav(tmp_path).read_bytes()


def test_a_file_sent_in_chunks_arrives_whole_and_is_checked(client, storyteller, wav_bytes):
    client.force_login(storyteller)
    session = start(client, "speech.wav", len(wav_bytes)).json()
    assert session["offset"] == 0 and session["size"] == len(wav_bytes)
    chunk = 10_000
    for offset in range(0, len(wav_bytes), chunk):
        answer = put(client, session["url"], offset, wav_bytes[offset : offset + chunk])
        assert answer.status_code == 200, answer.content
        assert answer.json()["offset"] == min(offset + chunk, len(wav_bytes))
    finished = client.post(session["finish"])
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "ready" and finished.json()["kind"] == "audio"
    record = UploadSession.objects.get()
    assert record.status == UploadStatus.READY and record.duration > 1
    assert uploads.ready_path(record).exists()
    assert not uploads.partial_path(record).exists()


def test_an_upload_resumes_from_the_offset_the_server_reports(client, storyteller, wav_bytes):
    client.force_login(storyteller)
    session = start(client, "speech.wav", len(wav_bytes)).json()
    half = len(wav_bytes) // 2
    put(client, session["url"], 0, wav_bytes[:half])
    # The connection drops: the client asks where to go on from.
    where = client.get(session["url"]).json()
    assert where["offset"] == half and where["status"] == "receiving"
    # A chunk sent again for an old offset is refused with the right one.
    stale = put(client, session["url"], 0, wav_bytes[:100])
    assert stale.status_code == 409 and stale.json()["offset"] == half
    put(client, session["url"], half, wav_bytes[half:])
    assert client.post(session["finish"]).status_code == 200


def test_a_chunk_cut_short_keeps_what_arrived(storyteller, wav_bytes):
    session = uploads.upload_session_start(
        owner=storyteller, filename="speech.wav", size=len(wav_bytes)
    )
    # The client announced 5000 bytes but the connection died after 3000.
    uploads.upload_chunk_append(
        session=session, offset=0, stream=io.BytesIO(wav_bytes[:3000]), length=5000
    )
    assert session.received_bytes == 3000
    uploads.upload_chunk_append(
        session=session,
        offset=3000,
        stream=io.BytesIO(wav_bytes[3000:]),
        length=len(wav_bytes) - 3000,
    )
    uploads.upload_session_finish(session=session)
    assert session.status == UploadStatus.READY


def test_bytes_past_the_confirmed_offset_are_dropped_on_resume(storyteller, wav_bytes):
    session = uploads.upload_session_start(
        owner=storyteller, filename="speech.wav", size=len(wav_bytes)
    )
    uploads.upload_chunk_append(
        session=session, offset=0, stream=io.BytesIO(wav_bytes[:4000]), length=4000
    )
    # A write that reached the disk but was never confirmed (the server died before saving).
    with open(uploads.partial_path(session), "ab") as f:
        f.write(b"garbage that must not stay")
    rest = wav_bytes[4000:]
    uploads.upload_chunk_append(
        session=session, offset=4000, stream=io.BytesIO(rest), length=len(rest)
    )
    assert uploads.partial_path(session).read_bytes() == wav_bytes


def test_a_file_that_is_not_media_is_refused_when_finished(client, storyteller):
    client.force_login(storyteller)
    data = b"%PDF-1.4 not a recording at all" * 50
    session = start(client, "interview.m4a", len(data)).json()
    put(client, session["url"], 0, data)
    refused = client.post(session["finish"])
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert message.startswith("interview.m4a is not an audio or video file we can read")
    assert "Upload a recording saved as MP3" in message
    record = UploadSession.objects.get()
    assert record.status == UploadStatus.FAILED and record.error == message
    assert not uploads.partial_path(record).exists()


def test_empty_and_oversized_files_are_refused_before_any_byte_is_sent(
    client, storyteller, settings
):
    client.force_login(storyteller)
    empty = start(client, "nothing.mp3", 0)
    assert empty.status_code == 400
    assert "nothing.mp3 is empty (0 bytes)" in empty.json()["error"]
    too_big = start(client, "film.mp4", settings.ARCHIVE_MAX_UPLOAD_BYTES + 1)
    assert too_big.status_code == 400
    assert "more than the 2.0 GB a story can be" in too_big.json()["error"]
    assert "lower quality" in too_big.json()["error"]
    assert UploadSession.objects.count() == 0


def test_a_chunk_past_the_announced_size_is_refused(client, storyteller):
    client.force_login(storyteller)
    session = start(client, "a.wav", 10).json()
    answer = put(client, session["url"], 0, b"x" * 11)
    assert answer.status_code == 400
    assert "past the end of the file" in answer.json()["error"]


def test_finishing_early_says_how_much_arrived(client, storyteller):
    client.force_login(storyteller)
    session = start(client, "a.wav", 2048).json()
    put(client, session["url"], 0, b"x" * 1024)
    answer = client.post(session["finish"])
    assert answer.status_code == 400
    assert "Only 1.0 KB of 2.0 KB arrived. Resume the upload" in answer.json()["error"]


def test_an_optional_checksum_catches_a_damaged_file(storyteller, wav_bytes):
    session = uploads.upload_session_start(
        owner=storyteller, filename="speech.wav", size=len(wav_bytes), sha256="0" * 64
    )
    uploads.upload_chunk_append(
        session=session, offset=0, stream=io.BytesIO(wav_bytes), length=len(wav_bytes)
    )
    with pytest.raises(uploads.UploadRefused, match="arrived damaged"):
        uploads.upload_session_finish(session=session)


def test_nobody_else_can_see_or_add_to_my_upload(client, storyteller, stranger):
    client.force_login(storyteller)
    session = start(client, "a.wav", 100).json()
    client.force_login(stranger)
    assert client.get(session["url"]).status_code == 404
    assert put(client, session["url"], 0, b"x" * 10).status_code == 404
    assert client.post(session["finish"]).status_code == 404
    client.logout()
    assert client.get(session["url"]).status_code == 302  # to sign in


def test_chunks_need_the_csrf_token(storyteller):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(storyteller)
    answer = strict.post(START, json.dumps({"name": "a.wav", "size": 10}), "application/json")
    assert answer.status_code == 403


def test_stale_uploads_are_cleaned_up(storyteller):
    import datetime

    from django.utils import timezone

    session = uploads.upload_session_start(owner=storyteller, filename="a.wav", size=10)
    assert uploads.upload_sessions_expire() == 0
    later = timezone.now() + datetime.timedelta(days=30)
    assert uploads.upload_sessions_expire(now=later) == 1
    assert not uploads.partial_path(session).exists()
    assert not UploadSession.objects.exists()
