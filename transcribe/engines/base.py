"""What every engine returns, and the guard that keeps its output bounded and well ordered."""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from stories.timecode import clock

if TYPE_CHECKING:  # numpy is loaded by the engines that decode audio, not at start-up
    import numpy as np

ProgressCallback = Callable[[float], None]
AudioInput: TypeAlias = "str | PathLike[str] | np.ndarray"

# Bounds on what a recording of a given length can hold. Fast speech runs at about 20
# characters a second; a model stuck in a loop writes its 448-token window full again and again.
MAX_CHARS_PER_SECOND = 40.0
CHARS_SLACK = 400
MIN_SECONDS_PER_SEGMENT = 0.5
SEGMENTS_SLACK = 20
REPEAT_LIMIT = 4  # the same segment text this many times in a row: the model is looping
LOOP_COMPRESSION_RATIO = 3.0  # Whisper retries above 2.4; text this compressible is a loop
LOW_CONFIDENCE = 0.5  # below this mean confidence (a coin toss), the reader checks the text
# Wall-clock bound: the default model on two cores needs under half the recording's length;
# three times it (plus time to load the model) means the decoder has lost its way.
TIME_BUDGET_FACTOR = 3.0
TIME_BUDGET_SLACK = 60.0


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float  # seconds
    end: float
    text: str
    confidence: float | None = None  # 0..1, the mean token probability
    words: tuple[Word, ...] = ()
    speaker: str | None = None  # "S1", "S2"… as diarization found them; None: not known


@dataclass(frozen=True)
class TranscriptionResult:
    segments: tuple[Segment, ...]
    language: str
    language_probability: float
    duration: float  # seconds of audio
    engine: str
    model: str
    notes: tuple[str, ...] = ()  # anything a reader of the transcript should know
    complete: bool = True  # False when decoding was stopped before the end of the audio

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def note(self) -> str:
        return " ".join(self.notes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["segments"] = [
            {**asdict(s), "words": [asdict(w) for w in s.words]} for s in self.segments
        ]
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscriptionResult:
        segments = tuple(
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]),
                confidence=None if s.get("confidence") is None else float(s["confidence"]),
                words=tuple(Word(**w) for w in s.get("words") or ()),
                speaker=s.get("speaker") or None,
            )
            for s in data["segments"]
        )
        return cls(
            segments=segments,
            language=data.get("language", ""),
            language_probability=float(data.get("language_probability") or 0.0),
            duration=float(data.get("duration") or 0.0),
            engine=data.get("engine", ""),
            model=data.get("model", ""),
            notes=tuple(data.get("notes") or ()),
            complete=bool(data.get("complete", True)),
        )


class Engine(Protocol):
    """A speech-to-text engine. Implementations load their model lazily and reuse it."""

    name: str
    model_name: str

    def transcribe(
        self,
        audio: AudioInput,
        *,
        language: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> TranscriptionResult: ...


def logprob_to_probability(avg_logprob: float | None) -> float | None:
    if avg_logprob is None or math.isnan(avg_logprob):
        return None
    return round(min(1.0, max(0.0, math.exp(avg_logprob))), 4)


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


@dataclass
class SegmentCollector:
    """Takes an engine's segments one by one; says when to stop; builds the result.

    It keeps timestamps monotonic and inside the audio, drops empty text, skips passages the
    model repeated itself on, and stops the decoding (``add`` returns False) when the output
    grows beyond what speech of this length can hold, so a recording the model cannot follow
    ends with what was heard and a note saying why.
    """

    duration: float
    progress: ProgressCallback | None = None
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    _chars: int = 0
    _skipped: int = 0
    _repeats: int = 0
    _last_text: str = ""
    _last_progress: float = 0.0
    clock: Callable[[], float] = time.monotonic
    _started: float | None = None

    def __post_init__(self) -> None:
        self._started = self.clock()

    @property
    def time_budget(self) -> float:
        return self.duration * TIME_BUDGET_FACTOR + TIME_BUDGET_SLACK

    @property
    def max_chars(self) -> int:
        return int(self.duration * MAX_CHARS_PER_SECOND) + CHARS_SLACK

    @property
    def max_segments(self) -> int:
        return int(self.duration / MIN_SECONDS_PER_SEGMENT) + SEGMENTS_SLACK

    def add(
        self,
        start: float,
        end: float,
        text: str,
        confidence: float | None = None,
        words: Sequence[Word] = (),
    ) -> bool:
        """Add one segment; False means: stop decoding now."""
        self._report(end)
        text = " ".join(text.split())
        if not text:
            return True
        key = text.lower()
        self._repeats = self._repeats + 1 if key == self._last_text else 1
        self._last_text = key
        if self._repeats >= REPEAT_LIMIT:
            return self._stop(start, "the model kept writing the same words again and again")
        if len(text) >= 60 and compression_ratio(text) > LOOP_COMPRESSION_RATIO:
            self._skipped += 1
            return True
        if self._chars + len(text) > self.max_chars or len(self.segments) >= self.max_segments:
            return self._stop(start, "the model wrote far more text than the recording can hold")
        if self.clock() - (self._started or 0.0) > self.time_budget:
            return self._stop(
                start, f"it took more than {TIME_BUDGET_FACTOR:.0f} times the recording's length"
            )
        floor = self.segments[-1].end if self.segments else 0.0
        start = min(max(float(start), floor), self.duration)
        end = min(max(float(end), start), self.duration)
        clamped = tuple(
            Word(
                start=min(max(float(w.start), start), end),
                end=min(max(float(w.end), start), end),
                text=w.text,
                probability=round(float(w.probability), 4),
            )
            for w in words
        )
        self.segments.append(Segment(round(start, 3), round(end, 3), text, confidence, clamped))
        self._chars += len(text) + 1
        return True

    def _report(self, end: float) -> None:
        if self.progress is None or self.duration <= 0:
            return
        fraction = min(1.0, max(self._last_progress, float(end) / self.duration))
        if fraction > self._last_progress:
            self._last_progress = fraction
            self.progress(fraction)

    def _stop(self, at: float, why: str) -> bool:
        self.complete = False
        self.notes.append(
            f"Transcription stopped at {clock(at)} of {clock(self.duration)}: {why}, which "
            "happens when it cannot follow a recording (another language, music or noise). "
            "The transcript keeps what was heard up to there; check the recording and the "
            "language setting, or correct the transcript by hand."
        )
        return False

    def result(
        self, *, language: str, language_probability: float, engine: str, model: str
    ) -> TranscriptionResult:
        if self._skipped:
            self.notes.append(
                f"{self._skipped} passage(s) where the model repeated itself were left out."
            )
        if not self.segments and self.complete:
            self.notes.append(
                "No speech was found in the recording: it seems to hold only silence, noise or "
                "music. Check that the right file was uploaded; if someone does speak in it, "
                "type the transcript by hand or ask a curator to transcribe it again."
            )
        scored = [s for s in self.segments if s.confidence is not None]
        if scored:
            chars = sum(len(s.text) for s in scored)
            mean = sum((s.confidence or 0.0) * len(s.text) for s in scored) / chars
            if mean < LOW_CONFIDENCE:
                self.notes.append(
                    f"The model was unsure of this transcript (mean confidence {mean:.0%}): "
                    "listen to the recording and correct the text where needed."
                )
        if self.complete and self.progress is not None and self._last_progress < 1.0:
            self._last_progress = 1.0
            self.progress(1.0)
        return TranscriptionResult(
            segments=tuple(self.segments),
            language=language,
            language_probability=round(float(language_probability), 4),
            duration=round(self.duration, 3),
            engine=engine,
            model=model,
            notes=tuple(self.notes),
            complete=self.complete,
        )
