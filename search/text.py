"""Text analysis for both search backends, done here in Python so that both agree.

The Elasticsearch node the archive runs against has no analysis-common module (no stemmer,
no synonym filter), and the embedded backend has none either; so words are stemmed here with
the Snowball English stemmer into fields of their own, and the query is stemmed the same way.
A stemmed field holds stems separated by single spaces: Elasticsearch splits it with its
`whitespace` analyzer, the database backend matches ` stem ` with LIKE.
"""

from __future__ import annotations

import html
import re
import threading
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


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-case words; apostrophes are dropped inside words ("don't" -> "dont")."""
    return _WORD.findall(_APOSTROPHES.sub("", text.lower()))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball (Porter2) English stem of one lower-case word."""
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def stem_text(text: str) -> str:
    """The stemmed field value: stems separated by single spaces."""
    return " ".join(map(stem, words(text)))


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
    """The stem of `word` stemmed again until it stops changing: "loneliness" -> "loneli" ->
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


def highlight(text: str, wanted: frozenset[str] | set[str], *, size: int = 240) -> str:
    """An HTML fragment of `text` about `size` characters long with `<mark>` around every word
    whose stem is in `wanted`; it starts near the first mark (or at the start)."""
    spans = []
    for m in _SPAN.finditer(text):
        token = "".join(words(m.group()))
        if token and stem(token) in wanted:
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
