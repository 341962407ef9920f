"""Engines come from settings; the optional engine explains its extra; output stays bounded."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from transcribe.config import TranscribeConfig, config_from_settings
from transcribe.engines import FasterWhisperEngine, SegmentCollector, engine_for
from transcribe.engines.base import REPEAT_LIMIT, Word
from transcribe.errors import EngineUnavailableError


def test_defaults_run_offline_on_a_small_cpu(settings):
    for name in [n for n in dir(settings) if n.startswith("TRANSCRIBE_")]:
        delattr(settings, name)
    config = config_from_settings()
    assert config == TranscribeConfig()
    assert (config.engine, config.model, config.device, config.compute_type) == (
        "faster-whisper",
        "tiny.en",
        "cpu",
        "int8",
    )
    assert (config.beam_size, config.batch_size, config.cpu_threads) == (5, 0, 0)
    assert isinstance(engine_for(config), FasterWhisperEngine)


def test_settings_choose_every_option(settings, tmp_path):
    settings.TRANSCRIBE_ENGINE = "faster-whisper"
    settings.TRANSCRIBE_MODEL = "base"
    settings.TRANSCRIBE_DEVICE = "cuda"
    settings.TRANSCRIBE_COMPUTE_TYPE = "float16"
    settings.TRANSCRIBE_BEAM_SIZE = 1
    settings.TRANSCRIBE_CPU_THREADS = 2
    settings.TRANSCRIBE_BATCH_SIZE = 8
    settings.TRANSCRIBE_MODEL_CACHE = str(tmp_path)
    settings.TRANSCRIBE_LANGUAGE = "es"
    settings.TRANSCRIBE_WORD_TIMESTAMPS = False
    config = config_from_settings()
    assert config == TranscribeConfig(
        engine="faster-whisper",
        model="base",
        device="cuda",
        compute_type="float16",
        beam_size=1,
        cpu_threads=2,
        batch_size=8,
        model_cache=tmp_path,
        language="es",
        word_timestamps=False,
    )
    assert config.cache_dir == tmp_path and config.threads == 2


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"engine": "whisper.cpp"}, "TRANSCRIBE_ENGINE"),
        ({"device": "tpu"}, "TRANSCRIBE_DEVICE"),
        ({"beam_size": 0}, "TRANSCRIBE_BEAM_SIZE"),
        ({"batch_size": -1}, "TRANSCRIBE_BATCH_SIZE"),
        ({"cpu_threads": -2}, "TRANSCRIBE_CPU_THREADS"),
        ({"model": ""}, "TRANSCRIBE_MODEL"),
    ],
)
def test_bad_settings_are_refused_by_name(change, setting):
    with pytest.raises(ValueError, match=setting):
        TranscribeConfig(**change)


def test_openai_whisper_without_its_extra_says_how_to_install_it():
    assert "whisper" not in sys.modules
    with pytest.raises(EngineUnavailableError) as excinfo:
        engine_for(TranscribeConfig(engine="openai-whisper"))
    message = str(excinfo.value)
    assert "community-story-archive[openai-whisper]" in message
    assert "TRANSCRIBE_ENGINE" in message


class FakeWhisperModel:
    """Stands in for openai-whisper's model at its boundary: records what it was asked."""

    is_multilingual = True
    device = "cpu"
    dims = types.SimpleNamespace(n_mels=80)

    def __init__(self):
        self.calls = []

    def detect_language(self, mel):
        return None, {"es": 0.93, "en": 0.07}

    def transcribe(self, audio, **options):
        self.calls.append(options)
        word = {"start": 0.5, "end": 0.9, "word": " Hola", "probability": 0.9}
        return {
            "language": options["language"],
            "segments": [
                {"start": 0.4, "end": 1.5, "text": " Hola a todos.", "avg_logprob": -0.2,
                 "words": [word]},
                {"start": 1.2, "end": 9.0, "text": " Gracias.", "avg_logprob": -0.4},
            ],
        }  # fmt: skip


def test_openai_whisper_engine_speaks_the_same_interface(monkeypatch):
    model = FakeWhisperModel()
    fake = types.ModuleType("whisper")
    fake.load_model = lambda name, device, download_root: model
    fake.pad_or_trim = lambda audio: audio
    fake.log_mel_spectrogram = lambda audio, n_mels: types.SimpleNamespace(to=lambda d: audio)
    monkeypatch.setitem(sys.modules, "whisper", fake)

    engine = engine_for(TranscribeConfig(engine="openai-whisper", model="base", beam_size=5))
    seen = []
    result = engine.transcribe(np.zeros(16_000 * 3, dtype=np.float32), progress=seen.append)

    assert (result.engine, result.model, result.language) == ("openai-whisper", "base", "es")
    assert result.language_probability == pytest.approx(0.93)
    assert [(s.start, s.end, s.text) for s in result.segments] == [
        (0.4, 1.5, "Hola a todos."),
        (1.5, 3.0, "Gracias."),  # kept in order and inside the audio
    ]
    assert result.segments[0].confidence == pytest.approx(0.8187, abs=1e-4)
    assert result.segments[0].words == (Word(0.5, 0.9, "Hola", 0.9),)
    assert seen[-1] == 1.0
    options = model.calls[0]
    assert options["condition_on_previous_text"] is False
    assert options["compression_ratio_threshold"] == 2.4
    assert options["beam_size"] == 5 and options["hallucination_silence_threshold"] == 2.0


def test_collector_stops_a_model_that_repeats_itself_and_says_why():
    collector = SegmentCollector(duration=600.0)
    assert collector.add(0, 2, "We met at the hall.")
    kept = [collector.add(2 + i, 3 + i, "Thank you.") for i in range(REPEAT_LIMIT)]
    assert kept == [True] * (REPEAT_LIMIT - 1) + [False]
    result = collector.result(language="en", language_probability=1.0, engine="e", model="m")
    assert not result.complete
    assert "stopped at 0:05 of 10:00" in result.note and "same words" in result.note
    assert [s.text for s in result.segments][:2] == ["We met at the hall.", "Thank you."]


def test_collector_stops_when_text_outgrows_the_recording():
    collector = SegmentCollector(duration=10.0)
    added = 0
    while collector.add(added * 0.01, added * 0.01, f"Different words number {added} here."):
        added += 1
    assert collector._chars <= collector.max_chars
    result = collector.result(language="en", language_probability=1.0, engine="e", model="m")
    assert not result.complete and "far more text" in result.note


def test_collector_leaves_out_looping_passages_but_keeps_going():
    collector = SegmentCollector(duration=60.0)
    assert collector.add(0, 30, "la " * 80)
    assert collector.add(30, 40, "And then the music stopped.")
    result = collector.result(language="en", language_probability=1.0, engine="e", model="m")
    assert result.complete and [s.text for s in result.segments] == ["And then the music stopped."]
    assert "1 passage(s)" in result.note


def test_collector_stops_after_its_time_budget():
    now = [0.0]
    collector = SegmentCollector(duration=5.0, clock=lambda: now[0])
    assert collector.add(0, 1, "One.")
    now[0] = collector.time_budget + 1
    assert not collector.add(1, 2, "Two.")
    assert "3 times the recording's length" in collector.notes[0]


def test_the_time_budget_is_about_three_times_a_long_recording():
    assert SegmentCollector(duration=600.0).time_budget <= 3.1 * 600


def test_collector_keeps_times_in_order_and_inside_the_audio():
    reports = []
    collector = SegmentCollector(duration=10.0, progress=reports.append)
    collector.add(1.0, 4.0, "a", 0.9, [Word(0.5, 1.2, "a", 0.9)])
    collector.add(3.5, 3.0, "b")
    collector.add(8.0, 12.0, "c")
    collector.add(9.0, 9.5, "   ")
    result = collector.result(language="en", language_probability=0.3, engine="e", model="m")
    assert [(s.start, s.end) for s in result.segments] == [(1.0, 4.0), (4.0, 4.0), (8.0, 10.0)]
    assert result.segments[0].words[0].start == 1.0
    assert reports == sorted(reports) and reports[-1] == 1.0
