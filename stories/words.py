"""A transcript line's words: the engine's per-word list, kept in step with the line's text."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from stories.models import Segment


def _spelling(text: str) -> str:
    return "".join(str(text).split())


def words_spell(words: list[dict[str, Any]] | None, text: str) -> bool:
    """Whether the word list, in order, spells exactly `text` (whitespace aside)."""
    if not words:
        return False
    return _spelling("".join(str(w.get("text", "")) for w in words)) == _spelling(text)


def words_follow(
    words: list[dict[str, Any]] | None, *, text: str, start: float, end: float
) -> list[dict[str, Any]] | None:
    """The per-word list of a segment whose text is `text`, made from its earlier list `words`.

    Words that still stand (the same word, in the same order) keep their timing and
    probability; new words are spread over the time between the kept words around them (by
    length, with no probability). The result spells exactly `text`. No earlier list: None.
    """
    if not words:
        return None
    if words_spell(words, text) and all(str(w.get("text", "")).strip() for w in words):
        return [dict(w) for w in words]
    old = [str(w.get("text", "")).strip() for w in words]
    new = text.split()
    kept: list[dict[str, Any] | None] = [None] * len(new)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            word = dict(words[block.a + offset])
            word["text"] = new[block.b + offset]
            kept[block.b + offset] = word
    followed: list[dict[str, Any]] = []
    index = 0
    while index < len(new):
        kept_word = kept[index]
        if kept_word is not None:
            followed.append(kept_word)
            index += 1
            continue
        run_end = index
        while run_end < len(new) and kept[run_end] is None:
            run_end += 1
        after = next((w for w in kept[run_end:] if w is not None), None)
        low = max(float(start), float(followed[-1]["end"]) if followed else float(start))
        high = min(float(end), float(after["start"]) if after else float(end))
        high = max(low, high)
        run = new[index:run_end]
        total = sum(len(token) for token in run)
        done = 0
        for token in run:
            begin = low + (high - low) * done / total
            done += len(token)
            followed.append(
                {
                    "start": begin,
                    "end": low + (high - low) * done / total,
                    "text": token,
                    "probability": None,
                }
            )
        index = run_end
    return followed or None


def segment_words(segment: Segment) -> list[dict[str, Any]] | None:
    """The segment's word list as it may be shown: always one that spells its text now."""
    return words_follow(segment.words, text=segment.text, start=segment.start, end=segment.end)
