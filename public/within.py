"""Search within one story: the transcript lines that hold the words asked for, stemmed as the
archive's search stems them (`search.text`, in the transcript's language, or in the line's own
where it has one), with those words marked.

Only lines the page already shows are searched (the transcript beside the player, which every
audience that sees the story may read), so finding a word shows nothing the page does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from search.text import highlight, is_stop, stem, words
from stories.models import Segment

MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    number: int  # 1, 2, ... in the order of the recording
    segment: Segment
    marked: SafeString  # the line's text, escaped, with <mark> around each word found


@dataclass(frozen=True)
class StorySearch:
    query: str
    hits: list[Hit]

    @property
    def marked(self) -> dict[int, SafeString]:
        """Segment id -> its marked text, for the transcript."""
        return {hit.segment.pk: hit.marked for hit in self.hits}


def wanted_stems(query: str, language: str = "en") -> frozenset[str]:
    """The stems a query asks for; stop words only when the query has nothing else."""
    asked = words(query[:MAX_QUERY])
    kept = [w for w in asked if not is_stop(w)] or asked
    return frozenset(stem(w, language) for w in kept)


def find_in_story(segments: Sequence[Segment], query: str, language: str = "en") -> StorySearch:
    """The lines of `segments` with any word whose stem the query asks for, both stemmed in
    the line's language: its own where it has one, else `language` (the transcript's)."""
    query = " ".join(query.split())[:MAX_QUERY]
    wanted = {language: wanted_stems(query, language)}
    hits: list[Hit] = []
    if wanted[language]:
        for segment in segments:
            spoken = segment.language or language
            if spoken not in wanted:
                wanted[spoken] = wanted_stems(query, spoken)
            if wanted[spoken] & {stem(w, spoken) for w in words(segment.text)}:
                # highlight() escapes the text and adds only <mark> tags.
                text = highlight(
                    segment.text, wanted[spoken], size=len(segment.text) + 1, languages=(spoken,)
                )
                hits.append(Hit(len(hits) + 1, segment, mark_safe(text)))  # noqa: S308
    return StorySearch(query=query, hits=hits)
