"""``manage.py transcribe FILE --format …`` prints a local file's transcript."""

from __future__ import annotations

import itertools
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from transcribe import synth
from transcribe.formats import parse_srt, parse_vtt
from transcribe.wer import word_error_rate

pytestmark = pytest.mark.whisper

TEXT = synth.ENGLISH[2]


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    folder = tmp_path_factory.mktemp("command")
    return synth.convert(synth.speak(TEXT, folder / "talk.wav"), folder / "talk.m4a")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("transcribe", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_valid_webvtt(recording):
    out, _ = run(str(recording), "--format", "vtt")
    cues = parse_vtt(out)
    assert word_error_rate(TEXT, " ".join(c.text for c in cues)) < 0.2
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))


def test_prints_srt_text_and_json(recording):
    srt, _ = run(str(recording), "--format", "srt", "--beam-size", "1")
    assert parse_srt(srt)
    text, _ = run(str(recording), "--format", "txt", "--beam-size", "1")
    assert word_error_rate(TEXT, text) < 0.2
    data = json.loads(run(str(recording), "--format", "json", "--beam-size", "1")[0])
    assert data["model"] == "tiny.en" and data["language"] == "en" and data["segments"]


def test_a_file_that_is_not_media_is_a_clear_command_error(tmp_path):
    fake = tmp_path / "minutes.mp3"
    fake.write_text("Minutes of the meeting\n" * 30)
    with pytest.raises(CommandError, match=r"minutes\.mp3 is not an audio or video file"):
        run(str(fake))


def test_a_missing_model_is_a_clear_command_error(recording, tmp_path):
    with pytest.raises(CommandError, match="TRANSCRIBE_MODEL"):
        run(str(recording), "--model", str(tmp_path / "no-such-model"))
