"""Speech-to-text engines behind one interface, and the factory that picks one from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transcribe.config import TranscribeConfig, config_from_settings
from transcribe.engines.base import (
    Engine,
    ProgressCallback,
    Segment,
    SegmentCollector,
    TranscriptionResult,
    Word,
)

if TYPE_CHECKING:
    from transcribe.engines.faster import FasterWhisperEngine

__all__ = [
    "Engine",
    "FasterWhisperEngine",
    "ProgressCallback",
    "Segment",
    "SegmentCollector",
    "TranscriptionResult",
    "Word",
    "engine_for",
    "engine_from_settings",
]


def __getattr__(name: str) -> Any:
    # faster-whisper, CTranslate2, numpy and PyAV load when an engine is made, not when the
    # archive starts (every `manage.py` command and web worker imports this package).
    if name == "FasterWhisperEngine":
        from transcribe.engines.faster import FasterWhisperEngine

        return FasterWhisperEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def engine_for(config: TranscribeConfig) -> Engine:
    """The engine ``config`` names. openai-whisper is imported only when it is chosen."""
    if config.engine == "openai-whisper":
        # An optional extra (torch): imported only when chosen.
        from transcribe.engines.openai_whisper import OpenAIWhisperEngine

        return OpenAIWhisperEngine(config)
    from transcribe.engines.faster import FasterWhisperEngine

    return FasterWhisperEngine(config)


def engine_from_settings(**overrides: object) -> Engine:
    """The engine Django settings name (``TRANSCRIBE_*``), with optional overrides."""
    return engine_for(config_from_settings().with_overrides(**overrides))
