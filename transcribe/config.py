"""How transcription is configured: one small frozen object, read from Django settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ENGINES = ("faster-whisper", "openai-whisper")
DEVICES = ("cpu", "cuda", "auto")


def default_model_cache() -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/community-archive/models``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "community-archive" / "models"


@dataclass(frozen=True)
class TranscribeConfig:
    """Everything an engine needs to know; defaults run offline on a small CPU."""

    engine: str = "faster-whisper"
    model: str = "tiny.en"
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    cpu_threads: int = 0  # 0: one per core, at most 4
    batch_size: int = 0  # 0: sequential decoding; >0: faster-whisper's batched pipeline
    model_cache: Path | None = None  # None: default_model_cache()
    language: str | None = None  # None: detect (English-only models always say "en")
    word_timestamps: bool = True  # also lets faster-whisper skip hallucinated silences
    vad_filter: bool = True  # decode only where a voice is heard: no words made up on silence
    diarize: bool = True  # find who speaks when (S1, S2…) and split segments where it changes

    def __post_init__(self) -> None:
        problems = []
        if self.engine not in ENGINES:
            problems.append(f"TRANSCRIBE_ENGINE={self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.device not in DEVICES:
            problems.append(f"TRANSCRIBE_DEVICE={self.device!r} is not one of {', '.join(DEVICES)}")
        if self.beam_size < 1:
            problems.append(f"TRANSCRIBE_BEAM_SIZE={self.beam_size} must be 1 or more")
        if self.cpu_threads < 0:
            problems.append(f"TRANSCRIBE_CPU_THREADS={self.cpu_threads} must be 0 (auto) or more")
        if self.batch_size < 0:
            problems.append(f"TRANSCRIBE_BATCH_SIZE={self.batch_size} must be 0 (off) or more")
        if not self.model:
            problems.append("TRANSCRIBE_MODEL is empty: name a model such as 'tiny.en'")
        if problems:
            raise ValueError("; ".join(problems) + ".")

    @property
    def cache_dir(self) -> Path:
        return Path(self.model_cache) if self.model_cache else default_model_cache()

    @property
    def threads(self) -> int:
        """The CPU threads to give the engine: the setting, or one per core up to 4."""
        return self.cpu_threads or min(4, os.cpu_count() or 1)

    def with_overrides(self, **changes: Any) -> TranscribeConfig:
        """A copy with some fields changed; ``None`` values leave a field as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def config_from_settings(settings: Any = None) -> TranscribeConfig:
    """Build the config from Django settings (``TRANSCRIBE_*``); missing ones take defaults."""
    if settings is None:
        # Read only when asked: the config is also built without Django (the benchmark).
        from django.conf import settings as django_settings

        settings = django_settings
    defaults = TranscribeConfig()
    cache = getattr(settings, "TRANSCRIBE_MODEL_CACHE", None)
    return TranscribeConfig(
        engine=getattr(settings, "TRANSCRIBE_ENGINE", defaults.engine),
        model=getattr(settings, "TRANSCRIBE_MODEL", defaults.model),
        device=getattr(settings, "TRANSCRIBE_DEVICE", defaults.device),
        compute_type=getattr(settings, "TRANSCRIBE_COMPUTE_TYPE", defaults.compute_type),
        beam_size=int(getattr(settings, "TRANSCRIBE_BEAM_SIZE", defaults.beam_size)),
        cpu_threads=int(getattr(settings, "TRANSCRIBE_CPU_THREADS", defaults.cpu_threads)),
        batch_size=int(getattr(settings, "TRANSCRIBE_BATCH_SIZE", defaults.batch_size)),
        model_cache=Path(cache) if cache else None,
        language=getattr(settings, "TRANSCRIBE_LANGUAGE", None) or None,
        word_timestamps=bool(
            getattr(settings, "TRANSCRIBE_WORD_TIMESTAMPS", defaults.word_timestamps)
        ),
        vad_filter=bool(getattr(settings, "TRANSCRIBE_VAD_FILTER", defaults.vad_filter)),
        diarize=bool(getattr(settings, "TRANSCRIBE_DIARIZE", defaults.diarize)),
    )
