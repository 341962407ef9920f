"""Text analysis for both search backends, done here in Python so that both agree.

The Elasticsearch node the archive runs against has no analysis-common module (no stemmer,
no synonym filter), and the embedded backend has none either; so words are stemmed here into
fields of their own, and the query is stemmed the same way. A stemmed field holds stems
separated by single spaces: Elasticsearch splits it with its `whitespace` analyzer, the
database backend matches ` stem ` with LIKE.

Each text is stemmed in its own language: with the Snowball stemmer of that language where
Snowball has one (`SNOWBALL`, by ISO 639-1 code), and plainly where it has none (Welsh, say):
the word lower-cased with its accents taken off, never cut by another language's rules. The
query is stemmed in every language the archive holds (search.languages), so a word finds its
forms in each.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

# Lucene's English stop words plus the pronouns and auxiliaries of spoken accounts. Stop words
# stay in the stemmed fields (so phrases such as "trust in services" still match); only the
# words a query asks for alone are dropped when they are stop words.
_STOP_WORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with i me my we our us you your he him his she "
    "her its it's them am were been being do does did have has had so than too very can "
    "just about from up out what which who whom"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2019\u02bc]")
# A word as written, apostrophes inside it included: the unit the highlighter marks.
_SPAN = re.compile(r"[^\W_]+(?:['\u2019\u02bc][^\W_]+)*")
_local = threading.local()

ENGLISH = "english"
PLAIN = "plain"  # no stemmer: lower-cased, accents off
# ISO 639-1 codes (what Whisper and the story form give) -> the Snowball stemmer's name.
SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": ENGLISH,
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


@lru_cache(maxsize=256)
def analysis(language: str) -> str:
    """How text in `language` (a code such as "fr" or "pt-BR") is stemmed: the name of its
    Snowball stemmer, or PLAIN where Snowball has none (Welsh "cy") or the code is unknown."""
    primary = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return SNOWBALL.get(primary, PLAIN)


def _stemmer(name: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if name not in stemmers:
        stemmers[name] = snowballstemmer.stemmer(name)
    return stemmers[name]


def _plain(word: str) -> str:
    """The word without its accents ("dŵr" -> "dwr"): what a plain analysis keeps."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Lower-case words; apostrophes are dropped inside words ("don't" -> "dont")."""
    return _WORD.findall(_APOSTROPHES.sub("", text.lower()))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = ENGLISH) -> str:
    """The stem of one lower-case word in `language` (a code or an `analysis` name): Snowball
    (Porter2 for English), or the plain word where the language has no stemmer."""
    name = language if language in _NAMES else analysis(language)
    if name == PLAIN:
        return _plain(word)
    return _stemmer(name).stemWord(word)


_NAMES = frozenset([*SNOWBALL.values(), PLAIN])


def stems(text: str, language: str = ENGLISH) -> list[str]:
    return [stem(w, language) for w in words(text)]


class _Stems(dict[str, str]):
    """One language's stems by word, filled on first sight: a lookup of a word seen before is
    a plain dict lookup, which `stem_text` does for every word of every document it indexes."""

    LIMIT = 200_000  # words a language keeps; then it starts again (as `stem`'s cache does)

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[word] = stem(word, self.language)
        return found


_by_language: dict[str, _Stems] = {}


def stem_text(text: str, language: str = ENGLISH) -> str:
    """The stemmed field value: stems separated by single spaces."""
    stems_of = _by_language.get(language)
    if stems_of is None:
        stems_of = _by_language.setdefault(language, _Stems(language))
    return " ".join(map(stems_of.__getitem__, words(text)))


def is_stop(word: str) -> bool:
    return word in STOP_WORDS


# Endings English adds to a word, inflectional and derivational, tried on a word to find its
# kin ("lonely": "loneliness"); a form counts only when it has the same root, so "hopeless" is
# never kin of "hopeful".
_KIN_ENDINGS = (
    *("", "s", "es", "ed", "d", "ing", "er", "ers", "ly", "ness", "ment", "ments"),
    *("ion", "ions", "ation", "ate", "ated", "ating", "ity", "ities", "al", "ive"),
    *("est", "ful", "less", "liness", "iness", "ily", "ies", "ied", "ally", "ism", "ist"),
    *("ists", "ations", "ance", "ence", "ship", "hood"),
)


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The English stem of `word` stemmed again until it stops changing: "loneliness" -> "loneli" ->
    "lone", the root of "lonely" too. Used to find a word's kin, never written to an index."""
    current = stem(word)
    for _ in range(3):
        again = stem(current)
        if again == current:
            break
        current = again
    return current


@lru_cache(maxsize=20_000)
def kin(word: str) -> frozenset[str]:
    """Written forms with `word`'s root (itself included): the same word in other forms."""
    word = word.lower()
    target = root(word)
    bases = {stem(word), target}
    for base in tuple(bases):
        if base.endswith(("y", "i")):
            bases.add(base[:-1])
        if base.endswith("e"):
            bases.add(base[:-1])
    candidates = {base + ending for base in bases for ending in _KIN_ENDINGS} | {word}
    return frozenset(c for c in candidates if len(c) > 1 and root(c) == target)


def highlight(
    text: str,
    wanted: frozenset[str] | set[str],
    *,
    size: int = 240,
    languages: Iterable[str] = (ENGLISH,),
) -> str:
    """An HTML fragment of `text` about `size` characters long with `<mark>` around every word
    whose stem, in any of `languages`, is in `wanted`; it starts near the first mark (or at
    the start)."""
    spans = []
    languages = tuple(languages)
    for m in _SPAN.finditer(text):
        token = "".join(words(m.group()))
        if token and any(stem(token, language) in wanted for language in languages):
            spans.append((m.start(), m.end()))
    start = 0
    if spans and len(text) > size:
        start = max(0, spans[0][0] - size // 4)
        # begin at a word boundary
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + size)
    while end < len(text) and not text[end].isspace() and end - start < size + 30:
        end += 1
    out: list[str] = []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    fragment = "".join(out).strip()
    if start > 0:
        fragment = "…" + fragment
    if end < len(text):
        fragment += "…"
    return fragment
