"""Where chapters might start, read off a transcript: a pure function over its segments.

Pauses between lines, a change of speaker, and tagged excerpts (coding passes those in as
`Excerpt`s: the domain cannot read tags).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.http import urlencode

from stories.models import Chapter, Segment, Story
from stories.timecode import clock

__all__ = ["Excerpt", "Suggestion", "story_suggestions", "suggest_chapters"]


class SegmentLike(Protocol):
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Excerpt:
    """A tagged stretch of the recording (coding passes these in: stories cannot read tags)."""

    start: float
    end: float
    label: str  # the value or theme, as people read it
    value_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    start: float
    title: str
    reason: str
    value_ids: tuple[int, ...] = field(default=())
    theme_ids: tuple[int, ...] = field(default=())

    @property
    def clock(self) -> str:
        return clock(self.start)

    @property
    def query(self) -> str:
        """The query string that fills the chapter form with this suggestion."""
        pairs = [("start", clock(self.start)), ("title", self.title)]
        pairs += [("values", str(v)) for v in self.value_ids]
        pairs += [("themes", str(t)) for t in self.theme_ids]
        return urlencode(pairs)


TITLE_WORDS = 7


def _title_from(text: str) -> str:
    words = text.split()
    title = " ".join(words[:TITLE_WORDS]).rstrip(".,;:!?")
    return title + ("…" if len(words) > TITLE_WORDS else "")


def suggest_chapters(
    segments: Sequence[SegmentLike],
    *,
    excerpts: Sequence[Excerpt] = (),
    taken: Iterable[float] = (),
    pause: float = 2.0,
    spacing: float = 10.0,
) -> list[Suggestion]:
    """Where chapters might start: the first words, after each pause of `pause` seconds or
    more, and where a tagged excerpt begins (with its values and themes). A person accepts or
    edits each. Suggestions closer than `spacing` seconds to an earlier one, or within a second
    of a chapter already made (`taken`), are left out; a tagged excerpt wins over a pause."""
    lines = sorted(segments, key=lambda s: s.start)
    if not lines:
        return []
    found: dict[int, Suggestion] = {}
    found[0] = Suggestion(lines[0].start, _title_from(lines[0].text), "The recording begins.")
    for i in range(1, len(lines)):
        gap = lines[i].start - lines[i - 1].end
        voice = getattr(lines[i], "speaker_id", None)
        if gap >= pause:
            reason = f"A pause of {gap:.1f} seconds before these words."
            found[i] = Suggestion(lines[i].start, _title_from(lines[i].text), reason)
        elif voice is not None and voice != getattr(lines[i - 1], "speaker_id", None):
            # In an interview a new voice is often a new question: a new part of the story.
            reason = "Another voice speaks here."
            found[i] = Suggestion(lines[i].start, _title_from(lines[i].text), reason)
    for excerpt in excerpts:
        # The line the excerpt starts in (or the next one).
        i = next((k for k, s in enumerate(lines) if s.end > excerpt.start), len(lines) - 1)
        before = found.get(i)
        reason = f"Tagged with {excerpt.label}."
        if before is not None and (before.value_ids or before.theme_ids):
            reason = f"{before.reason[:-1]}, and with {excerpt.label}."
        found[i] = Suggestion(
            lines[i].start,
            _title_from(lines[i].text),
            reason,
            tuple(sorted({*(before.value_ids if before else ()), *excerpt.value_ids})),
            tuple(sorted({*(before.theme_ids if before else ()), *excerpt.theme_ids})),
        )
    taken_starts = list(taken)
    kept: list[Suggestion] = []
    for i in sorted(found):
        suggestion = found[i]
        tagged = bool(suggestion.value_ids or suggestion.theme_ids)
        if any(abs(suggestion.start - t) < 1.0 for t in taken_starts):
            continue
        if kept and suggestion.start - kept[-1].start < spacing and not tagged:
            continue
        kept.append(suggestion)
    return kept


def story_suggestions(story: Story, excerpts: Sequence[Excerpt] = ()) -> list[Suggestion]:
    """`suggest_chapters` over the story's transcript, leaving out starts already taken."""
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    taken = Chapter.objects.filter(story=story).values_list("start", flat=True)
    return suggest_chapters(segments, excerpts=excerpts, taken=taken)
