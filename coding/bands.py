"""Coloured bands for the coding screen: under the words each accepted excerpt takes in, and as
bars on the player's timeline. Built from tags already loaded (no queries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coding import units
from coding.colours import code_colour
from coding.models import Tag, TagStatus

TIMELINE_WIDTH = 1000  # the SVG's own units; it scales to the page's width
LANE_HEIGHT = 10


@dataclass(frozen=True)
class Band:
    tag_id: int
    name: str
    css: str
    kind: str  # "value" or "theme"
    label: str  # what a band says in words: the code, where, who


@dataclass
class BandedWord:
    word: units.Word
    bands: list[Band] = field(default_factory=list)


@dataclass
class Line:
    """A unit of the transcript with its words (recordings) and the bands over it."""

    unit: units.Unit
    words: list[BandedWord]
    bands: list[Band]  # every band touching the unit (text stories show them under it)


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: int
    band: Band
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    height: int
    length: float


def colour_tags(tags: Iterable[Tag]) -> None:
    """Give each tag its code's colour (for the margin's swatches and borders)."""
    for tag in tags:
        colour = code_colour(tag.code)
        tag.colour_css, tag.colour_kind = colour.css, colour.kind


def _band(tag: Tag) -> Band:
    colour = code_colour(tag.code)
    where = getattr(tag, "range_label", "")
    who = getattr(tag, "coder_name", "")
    label = f"{tag.code.name}, {where}" + (f", by {who}" if who else "")
    return Band(tag.pk, tag.code.name, colour.css, colour.kind, label)


def _excerpts(tags: Iterable[Tag]) -> list[Tag]:
    return [t for t in tags if t.status == TagStatus.ACCEPTED and t.is_excerpt]


def lines(story_units: Sequence[units.Unit], tags: Iterable[Tag]) -> dict[int, Line]:
    """Each unit's line, keyed by unit index: a word is banded by a tag whose range takes in
    its middle (as quotes are cut); a unit by every tag touching it."""
    excerpts = [(t, _band(t)) for t in _excerpts(tags)]
    out: dict[int, Line] = {}
    for unit in story_units:
        out[unit.index] = Line(unit=unit, words=[BandedWord(w) for w in unit.words], bands=[])
    for tag, band in excerpts:
        for index in units.covered(story_units, tag):
            line = out[index]
            line.bands.append(band)
            if tag.start_seconds is None or tag.end_seconds is None:
                continue
            for banded in line.words:
                if units.word_inside(banded.word, tag.start_seconds, tag.end_seconds):
                    banded.bands.append(band)
    return out


def timeline(story_units: Sequence[units.Unit], tags: Iterable[Tag]) -> Timeline | None:
    """Bars for the timed excerpts across the recording's length, packed into lanes so that
    overlapping excerpts sit one above the other."""
    timed = sorted(
        (t for t in _excerpts(tags) if t.start_seconds is not None and t.end_seconds is not None),
        key=lambda t: (t.start_seconds, t.end_seconds),
    )
    ends = [u.end_seconds for u in story_units if u.end_seconds is not None]
    length = max([*ends, *(t.end_seconds or 0 for t in timed)], default=0.0)
    if not timed or length <= 0:
        return None
    lane_ends: list[float] = []
    bars: list[Bar] = []
    for tag in timed:
        assert tag.start_seconds is not None and tag.end_seconds is not None  # filtered above
        lane = next((i for i, end in enumerate(lane_ends) if end <= tag.start_seconds), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(tag.end_seconds)
        lane_ends[lane] = tag.end_seconds
        x = TIMELINE_WIDTH * tag.start_seconds / length
        width = max(TIMELINE_WIDTH * (tag.end_seconds - tag.start_seconds) / length, 2.0)
        bars.append(
            Bar(
                x=round(x, 2),
                width=round(width, 2),
                y=2 + lane * LANE_HEIGHT,
                band=_band(tag),
                start=tag.start_seconds,
                end=tag.end_seconds,
            )
        )
    return Timeline(bars=bars, height=2 + len(lane_ends) * LANE_HEIGHT, length=length)
