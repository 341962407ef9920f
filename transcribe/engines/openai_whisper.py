"""Optional engine: OpenAI's reference Whisper (PyTorch), behind the same interface.

Installed with the ``openai-whisper`` extra; imported only when this engine is chosen. It needs
its own checkpoint files (``tiny.en.pt``…): a model name it can download, or a ``.pt`` path.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from transcribe.config import TranscribeConfig
from transcribe.engines.base import (
    AudioInput,
    ProgressCallback,
    SegmentCollector,
    TranscriptionResult,
    Word,
    logprob_to_probability,
)
from transcribe.engines.faster import (
    COMPRESSION_RATIO_THRESHOLD,
    HALLUCINATION_SILENCE_THRESHOLD,
    LOG_PROB_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    TEMPERATURES,
)
from transcribe.engines.notes import language_notes, truncation_note
from transcribe.engines.speakers import with_speakers
from transcribe.errors import EngineUnavailableError, ModelNotFoundError
from transcribe.media import SAMPLE_RATE, declared_duration, decode_audio

EXTRA = "openai-whisper"

_models: dict[tuple[str, str], Any] = {}
_models_lock = threading.Lock()


def import_whisper() -> Any:
    try:
        import whisper
    except ImportError as exc:
        raise EngineUnavailableError(
            "TRANSCRIBE_ENGINE='openai-whisper' needs the openai-whisper package, which is not "
            f"installed: pip install 'community-story-archive[{EXTRA}]' (it brings PyTorch), or "
            "set TRANSCRIBE_ENGINE='faster-whisper'."
        ) from exc
    return whisper


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, config: TranscribeConfig) -> None:
        self.whisper = import_whisper()  # fail at construction, with the extra's name
        self.config = config
        self.model_name = config.model

    def model(self) -> Any:
        cfg = self.config
        device = "cuda" if cfg.device == "cuda" else "cpu"
        key = (cfg.model, device)
        with _models_lock:
            if key not in _models:
                try:
                    name = cfg.model
                    if name.endswith(".pt"):
                        name = str(Path(name).expanduser())
                    _models[key] = self.whisper.load_model(
                        name,
                        device=device,
                        download_root=str(cfg.cache_dir / "openai-whisper"),
                    )
                except Exception as exc:
                    raise ModelNotFoundError(
                        f"openai-whisper could not load TRANSCRIBE_MODEL={cfg.model!r} ({exc}). "
                        "It needs its own checkpoint: put e.g. tiny.en.pt in "
                        f"{cfg.cache_dir / 'openai-whisper'} or set TRANSCRIBE_MODEL to a .pt "
                        "file (the bundled faster-whisper models do not work with this engine)."
                    ) from exc
            return _models[key]

    def transcribe(
        self,
        audio: AudioInput,
        *,
        language: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> TranscriptionResult:
        samples = audio if isinstance(audio, np.ndarray) else decode_audio(audio)
        duration = len(samples) / SAMPLE_RATE
        model = self.model()
        cfg = self.config
        asked = language or cfg.language
        language = asked
        probability = 1.0
        if not model.is_multilingual:
            language = "en"
        elif language is None:
            language, probability = self._detect_language(model, samples)
        word_timestamps = cfg.word_timestamps
        out = model.transcribe(
            samples,
            language=language,
            temperature=TEMPERATURES,
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            logprob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            condition_on_previous_text=False,
            word_timestamps=word_timestamps,
            hallucination_silence_threshold=(
                HALLUCINATION_SILENCE_THRESHOLD if word_timestamps else None
            ),
            beam_size=cfg.beam_size if cfg.beam_size > 1 else None,
            best_of=cfg.beam_size if cfg.beam_size > 1 else None,
            fp16=cfg.device == "cuda" and "16" in cfg.compute_type,
            verbose=None,
        )
        collector = SegmentCollector(duration=duration, progress=progress)
        if not isinstance(audio, np.ndarray):
            note = truncation_note(declared=declared_duration(audio), decoded=duration)
            if note:
                collector.notes.append(note)
        for seg in out.get("segments", []):
            words = tuple(
                Word(float(w["start"]), float(w["end"]), w["word"].strip(), w["probability"])
                for w in seg.get("words") or ()
            )
            confidence = logprob_to_probability(seg.get("avg_logprob"))
            if not collector.add(seg["start"], seg["end"], seg["text"], confidence, words):
                break
        heard = out.get("language") or language or ""
        collector.notes.extend(
            language_notes(
                language=heard,
                probability=probability,
                asked=asked,
                multilingual=model.is_multilingual,
                model=self.model_name,
            )
        )
        result = collector.result(
            language=heard,
            language_probability=probability,
            engine=self.name,
            model=self.model_name,
        )
        return with_speakers(result, samples) if cfg.diarize else result

    def _detect_language(self, model: Any, samples: np.ndarray) -> tuple[str, float]:
        whisper = self.whisper
        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(samples), n_mels=getattr(model.dims, "n_mels", 80)
        ).to(model.device)
        _, probs = model.detect_language(mel)
        language = max(probs, key=probs.get)
        return language, float(probs[language])
