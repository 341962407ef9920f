"""The real Whisper models on synthesised speech: accurate, well-timed, bounded, multilingual."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from transcribe import synth
from transcribe.config import TranscribeConfig
from transcribe.engines import engine_for
from transcribe.media import decode_audio
from transcribe.wer import word_error_rate

pytestmark = pytest.mark.whisper

TEXT = synth.ENGLISH[0]


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    wav = synth.speak(TEXT, folder / "story.wav")
    for suffix in ("mp3", "m4a", "mp4"):
        synth.convert(wav, folder / f"story.{suffix}")
    return folder


@pytest.fixture(scope="module")
def tiny_en():
    engine = engine_for(TranscribeConfig())  # the defaults: tiny.en, int8, CPU
    engine.model()  # load once for the module; the process keeps it for the other tests
    return engine


@pytest.fixture(scope="module")
def result(tiny_en, speech):
    fractions: list[float] = []
    outcome = tiny_en.transcribe(speech / "story.wav", progress=fractions.append)
    return outcome, fractions


def test_tiny_en_transcribes_clean_english_with_under_20_percent_word_errors(result):
    outcome, _ = result
    assert word_error_rate(TEXT, outcome.text) < 0.20, outcome.text
    assert (outcome.engine, outcome.model) == ("faster-whisper", "tiny.en")
    assert (outcome.language, outcome.language_probability) == ("en", 1.0)
    assert outcome.complete and not outcome.notes


def test_segments_carry_confidence_and_word_timestamps(result):
    outcome, _ = result
    assert outcome.segments
    for segment in outcome.segments:
        assert 0 < segment.confidence <= 1
        assert segment.words
        assert " ".join(w.text for w in segment.words).split() == segment.text.split()
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert 0 <= word.probability <= 1


def test_timestamps_are_monotonic_and_within_the_duration(result, speech):
    outcome, _ = result
    duration = len(decode_audio(speech / "story.wav")) / 16_000
    assert outcome.duration == pytest.approx(duration, abs=0.01)
    previous_end = 0.0
    for segment in outcome.segments:
        assert previous_end <= segment.start <= segment.end <= outcome.duration
        previous_end = segment.end
    assert outcome.segments[-1].end > 0.7 * outcome.duration


def test_progress_rises_steadily_to_one(result):
    _, fractions = result
    assert len(fractions) >= 2
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and all(0 < f <= 1 for f in fractions)


@pytest.mark.parametrize("suffix", ["mp3", "m4a", "mp4"])
def test_compressed_audio_and_video_transcribe_as_well(tiny_en, speech, suffix):
    outcome = tiny_en.transcribe(speech / f"story.{suffix}")
    assert word_error_rate(TEXT, outcome.text) < 0.20, outcome.text


def test_batched_inference_gives_the_same_words(speech):
    batched = engine_for(TranscribeConfig(batch_size=4, beam_size=1))
    outcome = batched.transcribe(speech / "story.wav")
    assert word_error_rate(TEXT, outcome.text) < 0.20, outcome.text
    assert all(s.start <= s.end <= outcome.duration for s in outcome.segments)


def test_multilingual_base_detects_spanish(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spanish")
    wav = synth.speak(synth.SPANISH, folder / "historia.wav", language="es")
    base = engine_for(
        TranscribeConfig(model="base", model_cache=folder / "models", word_timestamps=False)
    )
    outcome = base.transcribe(wav)
    assert outcome.language == "es"
    assert outcome.language_probability > 0.5
    assert outcome.model == "base"
    assert word_error_rate(synth.SPANISH, outcome.text) < 0.5, outcome.text


def test_audio_the_model_cannot_follow_ends_with_a_note_not_runaway_text():
    # A siren-like sweep over noise: no words, nothing for the model to follow.
    greedy = engine_for(TranscribeConfig(beam_size=1))
    rng = np.random.default_rng(7)
    t = np.arange(16_000 * 20) / 16_000
    sweep = 0.4 * np.sin(2 * np.pi * (300 + 200 * np.sin(2 * np.pi * 0.5 * t)) * t)
    audio = (sweep + rng.normal(0, 0.05, t.size)).astype(np.float32)
    outcome = greedy.transcribe(audio)
    assert len(outcome.text) <= 40 * outcome.duration + 400
    assert outcome.notes  # says what happened: no speech found, or why it stopped
