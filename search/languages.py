"""Which languages the archive's stories are stemmed in: a query is stemmed in each of them.

A story's title, summary and text are stemmed in its `language`; its transcript in the
transcript's language (what Whisper heard, or what the storyteller chose), the story's where
the transcript has none, and a line marked with a language of its own in that one
(search.documents). A query then asks for the stems of its words in
every one of those languages (search.query), so "maison" finds "les maisons" in a French story
and "lonely" still finds "loneliness" in an English one, while a Welsh story, stemmed plainly,
keeps its own words.

The set is read from the stories, not from each search's results (which would need the query
first), and kept for a minute: a search costs no extra query, and a story in a language new to
the archive is found by its own stems a minute after it is told at the latest (at once in the
process that indexed it, which forgets the set on every index write).
"""

from __future__ import annotations

import threading
import time

from search import text as textmod
from stories.models import Segment, Story, Transcript

KEEP_SECONDS = 60.0

_lock = threading.Lock()
_kept: tuple[float, tuple[str, ...]] | None = None


def analysed() -> tuple[str, ...]:
    """The analyses (search.text.analysis names) of every language stories are told or
    transcribed in, English first (its forms and kin lead a word's stems)."""
    global _kept
    kept = _kept
    now = time.monotonic()
    if kept is not None and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    codes = set(
        Story.objects.exclude(status="withdrawn")
        .order_by()
        .values_list("language", flat=True)
        .distinct()
    )
    codes |= set(
        Transcript.objects.exclude(language="")
        .order_by()
        .values_list("language", flat=True)
        .distinct()
    )
    codes |= set(
        Segment.objects.exclude(language="")
        .order_by()
        .values_list("language", flat=True)
        .distinct()
    )
    names = {textmod.analysis(code) for code in codes} | {textmod.ENGLISH}
    found = (textmod.ENGLISH, *sorted(names - {textmod.ENGLISH}))
    with _lock:
        _kept = (now, found)
    return found


def forget() -> None:
    """Read the languages afresh at the next search (after an index write)."""
    global _kept
    with _lock:
        _kept = None
