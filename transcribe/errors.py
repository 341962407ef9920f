"""Errors the transcription library raises; each message says what went wrong and what to do."""

from __future__ import annotations


class TranscribeError(Exception):
    """Base class: a problem a person can fix (bad file, missing model), not a crash to retry."""


class MediaError(TranscribeError):
    """The file is not media we can decode, or it has no sound to transcribe."""


class TranscriptFormatError(TranscribeError):
    """An imported transcript (WebVTT, SRT, plain text) is malformed."""

    def __init__(self, line: int, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"Line {line}: {problem}")


class ModelNotFoundError(TranscribeError):
    """The configured Whisper model is not installed or cannot be loaded."""


class EngineUnavailableError(TranscribeError):
    """The configured engine's package is not installed."""
