"""When a search finds nothing or little: "did you mean" and related themes.

Corrections come from the archive's own vocabulary: theme names and synonyms, value names,
and the words of the titles and summaries of the stories the searcher may see. Every
correction and every related theme is tried as a search for the same audience before it is
offered, and offered with what it finds; so a suggestion never names a word that only a story
hidden from the searcher contains, and never leads to an empty page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from search import text as textmod
from search.api import search_stories
from search.query import parse_query
from search.types import SearchFilters
from stories.models import Story, Theme, ThemeSynonym, Value
from stories.visibility import Audience

THIN = 3  # fewer results than this and the page offers other ways in
TITLE_WORDS_FROM = 2000  # the most recent visible stories whose titles and summaries are read
_QUOTED = re.compile(r'["\u201c\u201d][^"\u201c\u201d]*["\u201c\u201d]')
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@dataclass(frozen=True)
class Correction:
    """A query to try instead, and how many stories it finds for this audience."""

    query: str
    total: int


@dataclass(frozen=True)
class RelatedTheme:
    """A theme near the one asked for (its parent, child or sibling), with its stories."""

    name: str
    slug: str
    total: int


def _vocabulary(audience: Audience) -> dict[str, str]:
    """Stem -> a written word, for every word the searcher could have meant."""
    texts = [t.name for t in Theme.objects.active()]
    texts += list(ThemeSynonym.objects.values_list("name", flat=True))
    texts += list(Value.objects.values_list("name", flat=True))
    recent = (
        Story.objects.visible_to(audience)
        .order_by("-pk")
        .values_list("title", "summary")[:TITLE_WORDS_FROM]
    )
    for title, summary in recent:
        texts += [title, summary or ""]
    vocabulary: dict[str, str] = {}
    for text in texts:
        for word in textmod.words(text):
            if len(word) > 2 and not textmod.is_stop(word) and not word.isdigit():
                vocabulary.setdefault(textmod.stem(word), word)
    return vocabulary


def _total(audience: Audience, query: str, filters: SearchFilters) -> int:
    """What the words find: a spelling is offered for the stories that say it (and a search
    by words costs no embedding)."""
    found = search_stories(
        audience=audience, query=query, filters=filters, per_page=1, match="words"
    )
    return found.total


def did_you_mean(
    *, audience: Audience, query: str, filters: SearchFilters | None = None, limit: int = 3
) -> list[Correction]:
    """Spellings from the archive's vocabulary for the words of `query` it does not know,
    each tried as a search; quoted phrases are left as they are."""
    filters = filters or SearchFilters()
    free = _QUOTED.sub(" ", query)
    unknown = [
        w
        for w in dict.fromkeys(textmod.words(free))
        if len(w) > 2 and not textmod.is_stop(w) and not w.isdigit()
    ]
    if not unknown:
        return []
    vocabulary = _vocabulary(audience)
    known_roots = {textmod.root(stem) for stem in vocabulary}
    written = sorted(set(vocabulary.values()))
    options: dict[str, list[str]] = {}
    for word in unknown:
        if textmod.root(word) in known_roots:
            continue
        close = difflib.get_close_matches(word, written, n=limit, cutoff=0.75)
        if close:
            options[word] = close
    candidates: list[str] = []
    if options:
        # First every unknown word at its closest, then each word's other spellings.
        candidates.append(_replace(query, {w: c[0] for w, c in options.items()}))
        for word, close in options.items():
            candidates += [_replace(query, {word: other}) for other in close[1:]]
    found: list[Correction] = []
    for candidate in dict.fromkeys(candidates):
        if candidate.lower() == query.lower():
            continue
        total = _total(audience, candidate, filters)
        if total:
            found.append(Correction(query=candidate, total=total))
        if len(found) == limit:
            break
    return found


def _replace(query: str, spelling: dict[str, str]) -> str:
    """`query` with each word in `spelling` (any case, outside quotes) written anew."""
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(query)]

    def swap(m: re.Match[str]) -> str:
        if any(start <= m.start() < end for start, end in quoted):
            return m.group()
        key = "".join(textmod.words(m.group()))
        return spelling.get(key, m.group())

    return _TOKEN.sub(swap, query)


def related_themes(*, audience: Audience, query: str, limit: int = 5) -> list[RelatedTheme]:
    """Themes beside those `query` names (parent, children, siblings) that find stories for
    this audience, each as a filter on its own."""
    codes = [c.code for c in parse_query(query).clauses if c.code.startswith("theme:")]
    asked = {int(code.split(":", 1)[1]) for code in codes}
    if not asked:
        return []
    themes = {t.pk: t for t in Theme.objects.active()}
    near: dict[int, None] = {}
    for theme_id in asked:
        theme = themes.get(theme_id)
        if theme is None:
            continue
        if theme.parent_id in themes:
            near[theme.parent_id] = None
        for other in themes.values():
            if other.pk != theme_id and (
                other.parent_id == theme_id
                or (theme.parent_id is not None and other.parent_id == theme.parent_id)
            ):
                near[other.pk] = None
    found: list[RelatedTheme] = []
    for theme_id in near:
        if theme_id in asked:
            continue
        theme = themes[theme_id]
        total = _total(audience, "", SearchFilters(theme=(theme.slug,)))
        if total:
            found.append(RelatedTheme(name=theme.name, slug=theme.slug, total=total))
        if len(found) == limit:
            break
    return found
