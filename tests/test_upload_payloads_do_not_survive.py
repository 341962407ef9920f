"""A payload hidden before or after the media (a ZIP archive, say) never reaches the story.

The stored recording is rebuilt from the decoded sound and picture only, so no byte of the
upload outside them survives; the rebuilt file still plays and sounds the same.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stories.models import UploadSession, UploadStatus
from storyteller import uploads
from transcribe import synth
from transcribe.media import SAMPLE_RATE, decode_audio, probe

pytestmark = pytest.mark.django_db

# Every format the upload keeps (storyteller/uploads.py `_suffix_for`), from real speech.
FORMATS = ["wav", "mp3", "m4a", "aac", "ogg", "opus", "flac", "webm", "mp4", "mov", "mkv"]
MARKER = b"HIDDEN-PAYLOAD-7f3a9c"
CONSENT = {"archive": True, "researchers": False, "public": False, "quotes_allowed": False}


def payload_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("readme.txt", MARKER * 8)
    return out.getvalue()


PAYLOAD = payload_zip()


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("payloads")
    wav = synth.speak("We met at the hall every Tuesday morning.", folder / "speech.wav")
    found = {"wav": wav}
    for suffix in FORMATS[1:]:
        found[suffix] = synth.convert(wav, folder / f"speech.{suffix}")
    return found


def upload(storyteller, name: str, data: bytes):
    return uploads.upload_session_from_file(
        owner=storyteller, uploaded=SimpleUploadedFile(name, data)
    )


def store(storyteller, session) -> bytes:
    story = uploads.story_submit(
        uploaded_by=storyteller,
        storyteller=storyteller,
        title="A hidden payload",
        kind="recording",
        consent=CONSENT,
        upload=session,
    )
    with story.media.open("rb") as f:
        return f.read()


def assert_clean_and_playable(stored: bytes, original: Path, tmp_path: Path, suffix: str) -> None:
    assert PAYLOAD not in stored
    assert MARKER not in stored
    assert b"PK\x03\x04" not in stored and b"PK\x05\x06" not in stored  # no ZIP records
    copy = tmp_path / f"stored{suffix}"
    copy.write_bytes(stored)
    assert not zipfile.is_zipfile(copy)
    before, after = probe(original), probe(copy)
    assert after.has_audio and after.has_video == before.has_video
    heard = decode_audio(copy)
    assert abs(len(heard) - len(decode_audio(original))) < 0.1 * SAMPLE_RATE
    assert float((heard**2).mean()) ** 0.5 > 0.01  # speech, not silence


def test_the_payload_is_a_valid_zip_the_check_would_see():
    assert zipfile.is_zipfile(io.BytesIO(PAYLOAD))
    assert MARKER in PAYLOAD and b"PK\x05\x06" in PAYLOAD


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_payload_appended_to_the_recording_is_not_stored(storyteller, recordings, tmp_path, fmt):
    original = recordings[fmt]
    session = upload(storyteller, f"story.{fmt}", original.read_bytes() + PAYLOAD)
    assert session.status == UploadStatus.READY
    assert_clean_and_playable(store(storyteller, session), original, tmp_path, session.suffix)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_payload_put_before_the_recording_is_refused_or_not_stored(
    storyteller, recordings, tmp_path, fmt
):
    original = recordings[fmt]
    try:
        session = upload(storyteller, f"story.{fmt}", PAYLOAD + original.read_bytes())
    except uploads.UploadRefused as refused:
        # FFmpeg finds no media at the start of this format: nothing is kept.
        assert "not an audio or video file" in str(refused)
        failed = UploadSession.objects.get(owner=storyteller)
        assert failed.status == UploadStatus.FAILED
        assert not uploads.partial_path(failed).exists()
        assert not list(uploads.partial_path(failed).parent.glob(f"{failed.pk}.ready*"))
        return
    assert_clean_and_playable(store(storyteller, session), original, tmp_path, session.suffix)


@pytest.mark.parametrize("fmt", ["mp3", "aac"])
def test_formats_that_skip_leading_junk_are_kept_without_it(storyteller, recordings, tmp_path, fmt):
    """These demuxers read past leading bytes, so the upload is kept: without the payload."""
    original = recordings[fmt]
    session = upload(storyteller, f"story.{fmt}", PAYLOAD + original.read_bytes())
    assert session.status == UploadStatus.READY
    assert_clean_and_playable(store(storyteller, session), original, tmp_path, session.suffix)


def rotated_copy(src: Path, dst: Path, degrees: int) -> Path:
    """`src` with its video marked to be shown turned by `degrees` (as phones record it)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        streams = {}
        for stream in inp.streams:
            streams[stream.index] = out.add_stream_from_template(stream)
            if stream.type == "video":
                streams[stream.index].set_display_rotation(degrees)
        for packet in inp.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    return dst


def test_a_phone_video_keeps_its_rotation_and_is_at_most_720p(storyteller, tmp_path):
    big = tmp_path / "big.mp4"
    subprocess.run(
        [synth.require("ffmpeg"), "-loglevel", "error",
         "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=10:d=1",
         "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
         "-c:v", "libx264", "-c:a", "aac", "-shortest", str(big)],
        check=True,
    )  # fmt: skip
    turned = rotated_copy(big, tmp_path / "turned.mp4", 90)
    session = upload(storyteller, "phone.mp4", turned.read_bytes() + PAYLOAD)
    copy = tmp_path / "stored.mp4"
    copy.write_bytes(store(storyteller, session))
    with av.open(str(copy)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert next(container.decode(video)).rotation == 90
