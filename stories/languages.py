"""The language of one transcript line, where it is not the transcript's.

People move between languages as they talk (English and Spanish, Welsh and English): Whisper
names one language for a whole recording, so each line is checked on its own with py3langid
(its model ships inside the wheel; nothing is fetched). A line keeps "" (the transcript's
language) unless it is long enough to judge and the identifier is sure it is another language:
a wrong guess would stem the line by the wrong rules, so doubt always leaves it as it was.

The identifier weighs only the languages the archive can do something with (a Snowball stemmer,
Welsh, and a few languages written in their own scripts) and the transcript's own, so that a
short English line is never taken for Latin or Frisian.

Pages are written in English; `part_lang` says which lang attribute a line in another language
needs on them (WCAG 3.1.2, language of parts).
"""

from __future__ import annotations

import re
import threading
from typing import Any

# Codes as Whisper and the story form give them (ISO 639-1). The Snowball stemmers of
# search.text.SNOWBALL, then Welsh and Scottish Gaelic (stemmed plainly), then languages in
# scripts of their own, which short English lines cannot be mistaken for.
LINE_LANGUAGES = frozenset(
    {
        *("ar", "hy", "eu", "ca", "cs", "da", "nl", "en", "eo", "et", "fi", "fr", "de", "el"),
        *("hi", "hu", "id", "ga", "it", "lt", "ne", "no", "nn", "fa", "pl", "pt", "ro", "ru"),
        *("sr", "st", "es", "sv", "ta", "tr"),
        *("cy", "gd"),
        *("bn", "gu", "pa", "ur", "zh", "ja", "ko", "uk", "he", "th"),
    }
)
MIN_WORDS = 4
MIN_LETTERS = 20
MIN_PROBABILITY = 0.9
PAGE_LANGUAGE = "en"  # templates/base.html: <html lang="en-GB">

# Codes that name the same language for our purposes.
_SAME = {"nb": "no", "iw": "he", "jw": "jv"}
_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_identifier: Any = None


def primary(language: str) -> str:
    """The language without its region or script ("pt-BR" -> "pt"), lower-case."""
    code = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return _SAME.get(code, code)


def _loaded() -> Any:
    """py3langid's identifier, loaded on first use (a second or so; never at start-up)."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def line_language(text: str, transcript_language: str) -> str:
    """The line's language where it is surely not `transcript_language`, else "".

    "" also for a line too short to judge (fewer than MIN_WORDS words or MIN_LETTERS letters)
    and for one the identifier is unsure of (below MIN_PROBABILITY among the languages weighed).
    """
    if len(text.split()) < MIN_WORDS or len(_LETTER.findall(text)) < MIN_LETTERS:
        return ""
    identifier = _loaded()
    heard = primary(transcript_language)
    known = set(identifier.labels)
    weighed = (LINE_LANGUAGES | {heard}) & known
    # The identifier's probabilities over all its languages, renormalised over those weighed:
    # the same as restricting it to them, without changing the shared identifier.
    scores = {code: p for code, p in identifier.rank(text) if code in weighed}
    total = sum(scores.values())
    if not total:
        return ""
    best = max(scores, key=lambda code: scores[code])
    if scores[best] / total < MIN_PROBABILITY or best == heard:
        return ""
    return str(best)


def part_lang(*languages: str) -> str:
    """The lang attribute a part of a page needs: the first language given (a line's own, then
    its transcript's, then its story's), or "" where that is the page's language or unknown."""
    language = next((code for code in languages if code), "")
    return language if language and primary(language) != PAGE_LANGUAGE else ""
