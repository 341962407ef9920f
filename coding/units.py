"""Units of coding: the pieces of a story that an excerpt starts and ends on.

An audio or video story's units are its transcript segments, each with its timed words (an
excerpt is any run of words, from the first one's start to the last one's end); a text story's
units are its sentences (an excerpt is any character range, and covers the sentences it
touches). Agreement between coders is computed over these units.

Character positions of an audio or video story refer to its transcript text as exported: the
segments' texts, stripped, one per line (`transcript_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from stories.languages import part_lang
from stories.models import Segment, Story
from stories.redactions import MARK
from stories.timecode import clock
from stories.words import words_follow

_PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
# Sentence ends: . ! ? or an ellipsis, then any closing quotes or brackets (straight or curly).
_SENTENCE_END = re.compile("[.!?\u2026]+[\"'\u201d\u2019)\\]]*(?=\\s|$)")


@dataclass(frozen=True)
class Word:
    """One timed word of a transcript segment; a redaction mark is one word (its hidden words
    are never in the list, so no selection can start or end inside them)."""

    start: float
    end: float
    text: str

    @property
    def is_mark(self) -> bool:
        return self.text == MARK


@dataclass(frozen=True)
class Unit:
    index: int
    text: str
    char_start: int
    char_end: int
    start_seconds: float | None = None
    end_seconds: float | None = None
    paragraph: int = 0
    words: tuple[Word, ...] = ()
    lang: str = ""  # a transcript line's language where it is not the page's (stories.languages)

    @property
    def time_label(self) -> str:
        return clock(self.start_seconds) if self.start_seconds is not None else ""

    @property
    def label(self) -> str:
        """How a unit is named in lists: its time for media, its number for text."""
        snippet = self.text if len(self.text) <= 60 else self.text[:57].rstrip() + "…"
        if self.start_seconds is not None:
            return f"{clock(self.start_seconds)} {snippet}"
        return f"{self.index + 1}. {snippet}"


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def text_units(text: str) -> list[Unit]:
    """Sentences of a text story, with their paragraph number and character range."""
    units: list[Unit] = []
    for paragraph, block in enumerate(_PARAGRAPH.finditer(text)):
        start = block.start()
        ends = [m.end() + block.start() for m in _SENTENCE_END.finditer(block.group())]
        for end in [*ends, block.end()]:
            s, e = _stripped(text, start, end)
            if e > s:
                unit = Unit(
                    index=len(units), text=text[s:e], char_start=s, char_end=e, paragraph=paragraph
                )
                units.append(unit)
            start = end
    return units


def _spread(text: str, start: float, end: float) -> list[dict[str, Any]]:
    """Times for the words of a line the engine gave none for: spread by length (an estimate)."""
    tokens = text.split()
    total = sum(len(t) for t in tokens) or 1
    spread, done = [], 0
    for token in tokens:
        begin = start + (end - start) * done / total
        done += len(token)
        spread.append({"start": begin, "end": start + (end - start) * done / total, "text": token})
    return spread


def segment_word_list(segment: Any) -> tuple[Word, ...]:
    """The segment's words as they may be shown (spelling its text now), each with its times."""
    start, end = float(segment.start), float(segment.end)
    raw = words_follow(getattr(segment, "words", None), text=segment.text, start=start, end=end)
    return tuple(
        Word(start=float(w["start"]), end=float(w["end"]), text=str(w["text"]).strip())
        for w in (raw or _spread(segment.text, start, end))
        if str(w["text"]).strip()
    )


def segment_units(segments: Iterable, language: str = "") -> list[Unit]:
    """Transcript segments (in index order) as units, positioned in `transcript_text`.

    A segment's language is its own, else its transcript's (`heard`, where read with it), else
    `language` (the story's)."""
    units: list[Unit] = []
    position = 0
    for segment in segments:
        text = segment.text.strip()
        units.append(
            Unit(
                index=len(units),
                text=text,
                char_start=position,
                char_end=position + len(text),
                start_seconds=segment.start,
                end_seconds=segment.end,
                paragraph=len(units),
                words=segment_word_list(segment),
                lang=part_lang(
                    getattr(segment, "language", ""), getattr(segment, "heard", ""), language
                ),
            )
        )
        position += len(text) + 1  # the newline between segments
    return units


def transcript_text(units: Sequence[Unit]) -> str:
    return "\n".join(u.text for u in units)


def story_segments(story: Story) -> list[Segment]:
    """The story's segments, each with its transcript's language as `heard` (the same join)."""
    return list(
        Segment.objects.filter(transcript__story=story)
        .annotate(heard=F("transcript__language"))
        .order_by("index")
    )


def story_units(story: Story, segments: Sequence | None = None) -> list[Unit]:
    """The units of `story`; pass `segments` when they are already loaded."""
    if story.has_media:
        return segment_units(
            story_segments(story) if segments is None else segments, language=story.language
        )
    return text_units(story.text_body)


def covered(units: Sequence[Unit], tag: Any) -> list[int]:
    """Indexes of the units an excerpt tag touches; empty for a whole-story tag."""
    if tag.start_seconds is not None and tag.end_seconds is not None:
        start, end = tag.start_seconds, tag.end_seconds
        return [
            u.index
            for u in units
            if u.start_seconds is not None
            and u.end_seconds is not None
            and (
                (u.start_seconds < end and u.end_seconds > start)
                or (u.start_seconds == u.end_seconds and start <= u.start_seconds <= end)
                or (start == end and u.start_seconds <= start <= u.end_seconds)
            )
        ]
    if tag.char_start is not None and tag.char_end is not None:
        return [
            u.index for u in units if u.char_start < tag.char_end and u.char_end > tag.char_start
        ]
    return []


def word_inside(word: Word, start: float, end: float) -> bool:
    # By its middle, as redactions choose words: a word half in a range is in it once.
    return start <= (word.start + word.end) / 2 <= end


def snap_to_words(
    units: Sequence[Unit], start_seconds: float, end_seconds: float
) -> tuple[float, float] | None:
    """The exact times of the words a [start, end] range takes in: from the first word's start
    to the last one's end. None when it takes in no word."""
    if end_seconds < start_seconds:
        start_seconds, end_seconds = end_seconds, start_seconds
    every = [w for u in units for w in u.words]
    taken = [w for w in every if word_inside(w, start_seconds, end_seconds)]
    if not taken:  # an instant (or a sliver inside one word): the word it falls in
        taken = [w for w in every if w.start <= start_seconds < w.end][:1]
    if not taken:
        return None
    return taken[0].start, taken[-1].end


def quote(story_units: Sequence[Unit], tag: Any, *, text_body: str | None = None) -> str:
    """The words an excerpt tag covers in `story_units`; '' for a whole-story tag.

    A text story's excerpt is its exact character range of `text_body`; an audio or video
    story's is the words whose middle lies in its time range (cut at word times, not at the
    segments' bounds).
    """
    if tag.char_start is not None and tag.char_end is not None and text_body is not None:
        return text_body[tag.char_start : tag.char_end]
    touched = set(covered(story_units, tag))
    if tag.start_seconds is None or tag.end_seconds is None:
        return " ".join(u.text for u in story_units if u.index in touched)
    start, end = tag.start_seconds, tag.end_seconds
    return " ".join(
        " ".join(w.text for w in u.words if word_inside(w, start, end)) if u.words else u.text
        for u in story_units
        if u.index in touched and (not u.words or any(word_inside(w, start, end) for w in u.words))
    )


def quotes(tags: Iterable[Any]) -> dict[int, str]:
    """The words of each excerpt tag, read now from its story (two queries for any number).

    Tags do not keep a copy of their words: a storyteller's correction, or a redaction, reaches
    every quote the next time it is shown.
    """
    excerpts = [t for t in tags if t.start_seconds is not None or t.char_start is not None]
    story_ids = {t.story_id for t in excerpts}
    if not story_ids:
        return {}
    texts = dict(Story.objects.filter(pk__in=story_ids, kind="text").values_list("pk", "text_body"))
    rows: dict[int, list[Any]] = {sid: [] for sid in story_ids}
    for row in (
        Segment.objects.filter(transcript__story_id__in=story_ids - set(texts))
        .order_by("transcript__story_id", "index")
        .values_list("transcript__story_id", "start", "end", "text", "words", named=True)
    ):
        rows[row.transcript__story_id].append(row)
    by_story = {
        sid: (text_units(texts[sid]) if sid in texts else segment_units(rows[sid]))
        for sid in story_ids
    }
    return {t.pk: quote(by_story[t.story_id], t, text_body=texts.get(t.story_id)) for t in excerpts}
