"""What the search interface takes and gives back (the same for both backends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stories.timecode import clock

SORTS = ("relevance", "newest", "oldest")
# How a query is matched: by its words and by what it means (fused), or by one of the two.
MATCHES = ("both", "words", "meaning")


@dataclass(frozen=True)
class SearchFilters:
    """Facet choices: a story must match one of the chosen keys of every facet used.

    Values, themes and projects by slug; collections by page id; years as numbers; kinds and
    languages by code; value groups "aims" or "conduct".
    """

    value: tuple[str, ...] = ()
    value_group: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    collection: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Any) -> SearchFilters:
        """From a QueryDict or a dict of lists (unknown keys are ignored)."""

        def get(name: str) -> tuple[str, ...]:
            if hasattr(data, "getlist"):
                raw = data.getlist(name)
            else:
                raw = data.get(name) or ()
                raw = [raw] if isinstance(raw, str | int) else raw
            return tuple(dict.fromkeys(str(v).strip() for v in raw if str(v).strip()))

        return cls(**{name: get(name) for name in cls.__dataclass_fields__})

    def chosen(self) -> dict[str, tuple[str, ...]]:
        return {
            name: getattr(self, name) for name in self.__dataclass_fields__ if getattr(self, name)
        }


@dataclass(frozen=True)
class Snippet:
    """A moment of a story that matched: highlighted HTML (None where the storyteller did not
    agree to quotes for this audience) and where it starts. Pages build the link to it."""

    html: str | None
    start: float | None
    char_start: int | None = None
    speaker: str = ""  # who speaks there, as this audience may see them

    @property
    def timecode(self) -> str:
        return "" if self.start is None else clock(self.start)


@dataclass
class Hit:
    story: Any  # stories.models.Story
    score: float
    attribution: str
    snippets: list[Snippet] = field(default_factory=list)


@dataclass(frozen=True)
class FacetValue:
    key: str  # what the filter takes (slug, id or code)
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    sort: str = "relevance"
    interpreted: list[str] = field(default_factory=list)  # how the query was understood

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "story", "theme" or "value"
    label: str


# What a backend answers before stories are loaded: ids, scores, raw moments, facet counts by key.
@dataclass
class RawMoment:
    text: str  # highlighted HTML from the backend
    start: float | None
    char_start: int | None


@dataclass
class RawHit:
    story_id: int
    score: float
    moments: list[RawMoment] = field(default_factory=list)


@dataclass
class RawResults:
    total: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]]
