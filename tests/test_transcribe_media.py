"""Story media through PyAV: every common format decodes, non-media fails clearly, tags go."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from transcribe import synth
from transcribe.errors import MediaError
from transcribe.media import SAMPLE_RATE, decode_audio, probe, strip_metadata

FORMATS = ["mp3", "m4a", "ogg", "opus", "flac", "webm", "mp4", "mov"]
PERSONAL_TAGS = {"title", "artist", "comment", "location", "creation_time", "encoder"}


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    wav = synth.speak(synth.ENGLISH[1], folder / "speech.wav")
    for suffix in FORMATS:
        synth.convert(wav, folder / f"speech.{suffix}")
    return folder


@pytest.fixture(scope="module")
def wav_samples(media_dir) -> np.ndarray:
    return decode_audio(media_dir / "speech.wav")


@pytest.mark.parametrize("suffix", FORMATS)
def test_every_common_format_decodes_to_the_same_sound(media_dir, wav_samples, suffix):
    samples = decode_audio(media_dir / f"speech.{suffix}")
    assert samples.dtype == np.float32
    assert abs(len(samples) - len(wav_samples)) < 0.05 * SAMPLE_RATE  # codec padding only
    assert np.sqrt(np.mean(samples**2)) > 0.01  # there is sound, not silence


@pytest.mark.parametrize("suffix", ["wav", *FORMATS])
def test_probe_gives_duration_and_streams(media_dir, wav_samples, suffix):
    info = probe(media_dir / f"speech.{suffix}")
    assert info.has_audio
    assert info.has_video == (suffix in {"webm", "mp4", "mov"})
    assert info.duration == pytest.approx(len(wav_samples) / SAMPLE_RATE, abs=0.25)
    assert info.audio_codec


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def broken(media_dir, tmp_path):
    mp4 = (media_dir / "speech.mp4").read_bytes()
    silent_video = tmp_path / "silent.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(media_dir / "speech.mp4"), "-an", "-c", "copy",
         str(silent_video)],
        check=True,
    )  # fmt: skip
    picture = tmp_path / "photo.jpg"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v",
         "1", str(picture)],
        check=True,
    )  # fmt: skip
    return {
        "text renamed .mp3": write(
            tmp_path / "notes.mp3", b"Dear diary, today we met at the hall.\n" * 20
        ),
        "random bytes": write(tmp_path / "noise.wav", np.random.default_rng(1).bytes(40_000)),
        "truncated mp4": write(tmp_path / "cut.mp4", mp4[:2000]),
        "empty file": write(tmp_path / "empty.m4a", b""),
        "video without sound": silent_video,
        "a picture": picture,
    }


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("text renamed .mp3", "not an audio or video file"),
        ("random bytes", "not an audio or video file"),
        ("truncated mp4", "not an audio or video file"),
        ("empty file", "the file is empty"),
        ("video without sound", "no audio track"),
        ("a picture", "it is a picture"),
    ],
)
def test_files_that_are_not_playable_media_raise_a_clear_media_error(broken, case, words):
    path = broken[case]
    with pytest.raises(MediaError) as by_probe:
        probe(path)
    with pytest.raises(MediaError):
        decode_audio(path)
    message = str(by_probe.value)
    assert path.name in message and words in message
    assert "Upload" in message  # says what to do next


def test_a_missing_file_is_a_media_error(tmp_path):
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "gone.mp3")


def test_silent_video_can_be_probed_without_requiring_sound(broken):
    info = probe(broken["video without sound"], require_audio=False)
    assert info.has_video and not info.has_audio and info.duration > 10


def ffprobe_tags(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json",
         str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    tags: dict[str, str] = {}
    for holder in [data.get("format", {}), *data.get("streams", [])]:
        tags.update({k.lower(): v for k, v in holder.get("tags", {}).items()})
    return tags


@pytest.mark.parametrize("suffix", ["mp3", "m4a", "ogg", "flac", "webm", "mp4", "mov"])
def test_strip_metadata_drops_tags_and_keeps_the_sound(media_dir, tmp_path, suffix):
    tagged = tmp_path / f"tagged.{suffix}"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(media_dir / f"speech.{suffix}"), "-c", "copy",
         "-metadata", "title=Sarah's kitchen", "-metadata", "artist=Sarah Jones",
         "-metadata", "comment=12 Acacia Avenue", "-metadata", "location=+51.5074-000.1278/",
         "-metadata", "creation_time=2024-05-01T10:00:00Z", str(tagged)],
        check=True,
    )  # fmt: skip
    before = ffprobe_tags(tagged)
    assert {"title", "artist"} <= before.keys()

    clean = tmp_path / f"clean.{suffix}"
    strip_metadata(tagged, clean)

    after = ffprobe_tags(clean)
    assert not PERSONAL_TAGS & {k for k, v in after.items() if v != "Lavf"}
    assert "Sarah" not in json.dumps(after) and "51.5074" not in json.dumps(after)
    assert "Acacia" not in clean.read_bytes().decode("latin-1")
    original, copied = probe(tagged), probe(clean)
    assert copied.has_video == original.has_video
    # Rebuilt from the decoded sound (re-encoded): as long as before, to a codec frame.
    assert abs(len(decode_audio(clean)) - len(decode_audio(tagged))) < 0.03 * SAMPLE_RATE


def test_strip_metadata_refuses_non_media(broken, tmp_path):
    with pytest.raises(MediaError):
        strip_metadata(broken["text renamed .mp3"], tmp_path / "out.mp3")
