"""The default engine: faster-whisper (CTranslate2), on CPU or CUDA."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

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
from transcribe.engines.notes import language_notes, truncation_note
from transcribe.engines.speakers import with_speakers
from transcribe.errors import ModelNotFoundError, TranscribeError
from transcribe.media import SAMPLE_RATE, declared_duration, decode_audio
from transcribe.weights import BASE_PACKAGES, TINY_EN_PACKAGE, ResolvedModel, resolve_model

if TYPE_CHECKING:
    # Loaded by the worker only: importing faster-whisper (CTranslate2) slows every start.
    from faster_whisper import WhisperModel

# faster-whisper's own safeguards against a decoder that loses its way.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
COMPRESSION_RATIO_THRESHOLD = 2.4
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
HALLUCINATION_SILENCE_THRESHOLD = 2.0  # seconds; takes effect with word timestamps

_models: dict[tuple[str, str, str, int], WhisperModel] = {}
_models_lock = threading.Lock()


def load_model(location: str, *, device: str, compute_type: str, threads: int) -> WhisperModel:
    """Load a faster-whisper model once per process and reuse it (loading takes seconds)."""
    # Loaded by the worker only: importing faster-whisper (CTranslate2) slows every start.
    from faster_whisper import WhisperModel

    key = (location, device, compute_type, threads)
    with _models_lock:
        if key not in _models:
            _models[key] = WhisperModel(
                location, device=device, compute_type=compute_type, cpu_threads=threads
            )
        return _models[key]


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, config: TranscribeConfig) -> None:
        self.config = config
        self.model_name = config.model

    def model(self) -> WhisperModel:
        cfg = self.config
        resolved = resolve_model(cfg.model, cache_dir=cfg.cache_dir)
        try:
            return load_model(
                resolved.location,
                device=cfg.device,
                compute_type=cfg.compute_type,
                threads=cfg.threads,
            )
        except Exception as exc:  # CTranslate2 and huggingface_hub raise many kinds
            raise self._load_error(resolved, exc) from exc

    def _load_error(self, resolved: ResolvedModel, exc: Exception) -> TranscribeError:
        cfg = self.config
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if cfg.device != "cpu" and ("cuda" in detail.lower() or "device" in detail.lower()):
            return TranscribeError(
                f"TRANSCRIBE_DEVICE={cfg.device!r} could not be used ({detail}): set "
                "TRANSCRIBE_DEVICE='cpu', or install the CUDA 12 and cuDNN libraries."
            )
        if "compute type" in detail.lower():
            return TranscribeError(
                f"TRANSCRIBE_COMPUTE_TYPE={cfg.compute_type!r} does not work on "
                f"{cfg.device} ({detail}): use 'int8' or 'float32' on CPU, 'float16' on CUDA."
            )
        if resolved.is_local:
            return ModelNotFoundError(
                f"The Whisper model in {resolved.location} (TRANSCRIBE_MODEL={cfg.model!r}) could "
                f"not be loaded ({detail}): point TRANSCRIBE_MODEL at a folder holding a "
                "CTranslate2 Whisper model (model.bin, config.json, tokenizer.json)."
            )
        return ModelNotFoundError(
            f"TRANSCRIBE_MODEL={cfg.model!r} is not installed here and could not be downloaded "
            f"({detail}). Use 'tiny.en' (package {TINY_EN_PACKAGE}), 'base' (packages "
            f"{' and '.join(BASE_PACKAGES)}), or a folder holding a CTranslate2 Whisper model."
        )

    def decode_options(self, language: str | None) -> dict[str, Any]:
        cfg = self.config
        return {
            "language": language,
            "beam_size": cfg.beam_size,
            "temperature": list(TEMPERATURES),
            "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
            "log_prob_threshold": LOG_PROB_THRESHOLD,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "condition_on_previous_text": False,
            "word_timestamps": cfg.word_timestamps,
            "hallucination_silence_threshold": (
                HALLUCINATION_SILENCE_THRESHOLD if cfg.word_timestamps else None
            ),
            # Silero VAD (shipped inside faster-whisper): stretches without a voice are never
            # decoded, so silence and noise cannot come out as "You" or "Thank you".
            "vad_filter": cfg.vad_filter,
        }

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
        asked = language or self.config.language
        language = asked
        notes = []
        if not isinstance(audio, np.ndarray):
            note = truncation_note(declared=declared_duration(audio), decoded=duration)
            if note:
                notes.append(note)
        if language and language != "en" and not model.model.is_multilingual:
            notes.append(
                f"The model {self.model_name!r} knows English only, so the recording was "
                f"transcribed as English although '{language}' was asked for: choose a "
                "multilingual model such as 'base'."
            )
            language = "en"
        options = self.decode_options(language)
        if self.config.batch_size > 0:
            # Only for long recordings on a GPU (TRANSCRIBE_BATCH_SIZE).
            from faster_whisper import BatchedInferencePipeline

            pipeline = BatchedInferencePipeline(model)
            raw, info = pipeline.transcribe(samples, batch_size=self.config.batch_size, **options)
        else:
            raw, info = model.transcribe(samples, **options)

        collector = SegmentCollector(duration=duration, progress=progress, notes=notes)
        try:
            for seg in raw:
                words = tuple(
                    Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                    for w in seg.words or ()
                )
                if not collector.add(seg.start, seg.end, seg.text, _confidence(seg, words), words):
                    break
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()  # stop the generator's decoding at once
        collector.notes.extend(
            language_notes(
                language=info.language,
                probability=info.language_probability,
                asked=asked,
                multilingual=model.model.is_multilingual,
                model=self.model_name,
            )
        )
        result = collector.result(
            language=info.language,
            language_probability=info.language_probability,
            engine=self.name,
            model=self.model_name,
        )
        return with_speakers(result, samples) if self.config.diarize else result


def _confidence(segment: Any, words: tuple[Word, ...]) -> float | None:
    """How sure the model was of this segment: the mean of its words' probabilities.

    Whisper's own average log-probability belongs to the whole 30-second window it decoded,
    so every segment of a window would show the same figure; the words tell them apart.
    """
    if words:
        return round(sum(w.probability for w in words) / len(words), 4)
    return logprob_to_probability(segment.avg_logprob)
