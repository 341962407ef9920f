"""Who says each segment: the speaker turns laid over an engine's segments.

A segment in which the voice changes is split between two words, so that each part is one
voice's; each part keeps its own words, with their times. A segment without word times is
given the voice heard longest during it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

import numpy as np

from transcribe.diarize import Turn, diarize
from transcribe.engines.base import Segment, TranscriptionResult, Word
from transcribe.errors import ModelNotFoundError

logger = logging.getLogger(__name__)


def _speaker_at(turns: Sequence[Turn], start: float, end: float) -> str | None:
    """The voice heard longest between start and end, else the nearest turn's voice."""
    if not turns:
        return None
    overlaps = [(min(end, t.end) - max(start, t.start), t.label) for t in turns]
    longest = max(overlaps, key=lambda o: o[0])
    if longest[0] > 0:
        return longest[1]
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle)))
    return nearest.label


def _mean_probability(words: Sequence[Word]) -> float | None:
    return round(sum(w.probability for w in words) / len(words), 4) if words else None


def split_at_turns(segments: Sequence[Segment], turns: Sequence[Turn]) -> tuple[Segment, ...]:
    """The segments, each given its speaker, split between words where the speaker changes."""
    out: list[Segment] = []
    for segment in segments:
        if not segment.words:
            speaker = _speaker_at(turns, segment.start, segment.end)
            out.append(dataclasses.replace(segment, speaker=speaker))
            continue
        voices = [_speaker_at(turns, w.start, w.end) for w in segment.words]
        parts: list[list[int]] = []
        for i, voice in enumerate(voices):
            if parts and voices[parts[-1][-1]] == voice:
                parts[-1].append(i)
            else:
                parts.append([i])
        if len(parts) == 1:
            out.append(dataclasses.replace(segment, speaker=voices[0]))
            continue
        for n, part in enumerate(parts):
            words = tuple(segment.words[i] for i in part)
            start = segment.start if n == 0 else words[0].start
            end = segment.end if n == len(parts) - 1 else max(words[-1].end, start)
            out.append(
                Segment(
                    start=start,
                    end=end,
                    text=" ".join(w.text for w in words),
                    confidence=_mean_probability(words),
                    words=words,
                    speaker=voices[part[0]],
                )
            )
    return tuple(out)


def with_speakers(result: TranscriptionResult, samples: np.ndarray) -> TranscriptionResult:
    """The result with each segment's speaker found (diarization), split where it changes.

    If the speaker encoder cannot be used (not installed, or its weights changed), the
    transcript is kept without speakers and its notes say why.
    """
    if not result.segments:
        return result
    try:
        turns = diarize(samples)
    except ModelNotFoundError as exc:
        logger.error("Speakers not found: %s", exc)
        note = f"The speakers were not told apart: {exc}"
        return dataclasses.replace(result, notes=(*result.notes, note))
    return dataclasses.replace(result, segments=split_at_turns(result.segments, turns))
