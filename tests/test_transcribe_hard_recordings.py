"""Recordings that are hard to transcribe, on the real Whisper models: silence, noise, a file cut
short, a language Whisper writes poorly. Each gives no invented words and a note saying why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from transcribe import synth
from transcribe.config import TranscribeConfig
from transcribe.engines import engine_for
from transcribe.wer import word_error_rate

pytestmark = pytest.mark.whisper

WELSH = (
    "Fy enw i yw Siân ac rydw i wedi byw yn y dref hon ers ugain mlynedd. Pan gaeodd y "
    "llyfrgell, collodd llawer o bobl hŷn le i gwrdd."
)


@pytest.fixture(scope="module")
def tiny_en():
    return engine_for(TranscribeConfig())  # the defaults: tiny.en, voice activity filter on


def test_a_minute_of_silence_gives_no_words_and_says_so(tiny_en):
    outcome = tiny_en.transcribe(np.zeros(16_000 * 60, dtype=np.float32))
    assert outcome.text == "" and outcome.segments == ()
    assert "No speech was found" in outcome.note


def test_a_second_of_white_noise_gives_no_words(tiny_en):
    noise = np.random.default_rng(1).uniform(-0.5, 0.5, 16_000).astype(np.float32)
    outcome = tiny_en.transcribe(noise)
    assert outcome.text == ""
    assert "No speech was found" in outcome.note


def test_an_mp3_cut_in_half_is_transcribed_up_to_the_cut_with_a_note(tiny_en, tmp_path):
    wav = synth.speak(synth.ENGLISH[0], tmp_path / "whole.wav")
    mp3 = tmp_path / "whole.mp3"
    subprocess.run(
        [synth.require("ffmpeg"), "-loglevel", "error", "-i", str(wav), str(mp3)], check=True
    )
    whole = mp3.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])

    outcome = tiny_en.transcribe(cut)
    assert "cut short" in outcome.note and "upload it again" in outcome.note
    assert outcome.text  # what was there is kept
    assert outcome.duration < 0.6 * tiny_en.transcribe(mp3).duration
    assert "cut short" not in tiny_en.transcribe(mp3).note


def test_segments_carry_their_own_confidence_from_their_words(tiny_en, tmp_path):
    wav = synth.speak(" ".join(synth.ENGLISH[:2]), tmp_path / "two.wav")
    outcome = tiny_en.transcribe(wav)
    assert word_error_rate(" ".join(synth.ENGLISH[:2]), outcome.text) < 0.25, outcome.text
    assert len(outcome.segments) >= 2
    for segment in outcome.segments:
        mean = sum(w.probability for w in segment.words) / len(segment.words)
        assert segment.confidence == pytest.approx(mean, abs=1e-3)
    # Not one figure for the whole 30-second window any more.
    assert len({s.confidence for s in outcome.segments}) > 1


def test_a_welsh_recording_detected_by_ear_carries_a_language_note(tmp_path: Path):
    wav = synth.speak(WELSH, tmp_path / "stori.wav", language="cy")
    base = engine_for(
        TranscribeConfig(
            model="base", model_cache=tmp_path / "models", beam_size=1, word_timestamps=False
        )
    )
    detected = base.transcribe(wav)
    assert detected.language != "en"
    assert "transcribe it again" in detected.note  # unsure, or a language it writes poorly

    asked = base.transcribe(wav, language="cy")
    assert asked.language == "cy"
    assert "Whisper writes Welsh less well" in asked.note
