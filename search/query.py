"""What a search asks for, worked out once in Python and handed to either backend.

A query is a list of clauses. A clause is a word (any inflection: it is stemmed, and its kin
with the same root count too, so "lonely" finds "loneliness") or, when the words name a theme
or a value in any form, that code: stories tagged with it, or whose words say its name or one
of its synonyms. Theme synonyms are expanded here, at query time, and a merged theme answers
for the theme that absorbed it. Words in quotes are one exact phrase: no kin, no codes. A
story matches when it meets enough clauses: all of them for one or two, three in four beyond
that (the same count on both backends).

Words are stemmed in every language the archive holds (`languages`, search.languages): a
word's phrases are its stem in each, so it finds its forms in stories of any of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from search import text as textmod
from search.languages import analysed as analysed_languages
from stories.models import Theme, ThemeSynonym, Value, follow_merges

# Tokens written into the stemmed fields for each tag, so that one text match finds stories
# (and moments) tagged with a code as well as those that say its name.
THEME_TOKEN = "tagtheme{}"  # noqa: S105 (not a password)
VALUE_TOKEN = "tagvalue{}"  # noqa: S105

FACETS = ("value", "value_group", "theme", "project", "collection", "language", "year", "kind")


@dataclass(frozen=True)
class Clause:
    """One thing asked for. `phrases` are stemmed strings (one or more stems); any will do."""

    label: str
    phrases: tuple[str, ...]
    code: str = ""  # "theme:<id>" or "value:<id>" when the words named a code

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(s for p in self.phrases for s in p.split() if not s.startswith("tag"))


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    clauses: tuple[Clause, ...] = ()
    # Stems to mark in snippets (stop words left out).
    mark_stems: frozenset[str] = frozenset()
    # Tag tokens of the codes chosen as filters: moments tagged with them make snippets too.
    filter_tokens: tuple[str, ...] = field(default=())
    # What the query means (search.embeddings), when it is searched by meaning too.
    vector: Any = None
    # The analyses its words were stemmed in (search.text.analysis): snippets mark by them.
    languages: tuple[str, ...] = (textmod.ENGLISH,)

    @property
    def required(self) -> int:
        """How many clauses a story must meet."""
        n = len(self.clauses)
        return n if n <= 2 else math.floor(n * 0.75)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def snippet_phrases(self) -> tuple[str, ...]:
        """Everything a moment may match to become a snippet."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for phrase in clause.phrases:
                seen[phrase] = None
        for token in self.filter_tokens:
            seen[token] = None
        return tuple(seen)


@dataclass(frozen=True)
class _Entry:
    stems: tuple[str, ...]  # roots (search.text.root), so that any form of a name finds it
    code: str
    label: str
    phrases: tuple[str, ...]


_PARENS = re.compile(r"\(([^)]*)\)")
_QUOTED = re.compile(r'["\u201c\u201d]([^"\u201c\u201d]+)["\u201c\u201d]')


def _roots(name: str) -> tuple[str, ...]:
    return tuple(textmod.root(w) for w in textmod.words(name))


def word_phrases(word: str, languages: tuple[str, ...] = (textmod.ENGLISH,)) -> tuple[str, ...]:
    """The stems a word clause matches: its own first, then its kin's (English), then its
    stem in each other language of `languages`."""
    own = textmod.stem(word)
    kin = {textmod.stem(form) for form in textmod.kin(word)} - {own}
    others = [textmod.stem(word, language) for language in languages]
    return tuple(dict.fromkeys([own, *sorted(kin), *others]))


def _stemmed(text: str, languages: tuple[str, ...]) -> list[str]:
    """`text` stemmed in each of `languages` (the same phrase once)."""
    return list(dict.fromkeys(textmod.stem_text(text, language) for language in languages))


def _name_phrases(names: set[str], languages: tuple[str, ...]) -> set[str]:
    """Stemmed phrases that say one of `names`; a one-word name in any of its forms."""
    phrases = {p for n in names for p in _stemmed(n, languages)} - {""}
    for name in names:
        words = textmod.words(name)
        if len(words) == 1:
            phrases.update(word_phrases(words[0], languages))
    return phrases


def value_names(name: str) -> list[str]:
    """The ways a value may be asked for: "Equality (and shifts in power differentials)" is
    asked for as "equality" or by its whole name; "Commitment/consistency/longevity" by each."""
    bare = _PARENS.sub(" ", name).strip()
    whole = _PARENS.sub(r" \1 ", name)
    names = {bare, whole}
    names.update(part.strip() for part in bare.split("/"))
    return [n for n in names if textmod.words(n)]


@dataclass(frozen=True)
class Taxonomy:
    """Themes (with the theme each now counts as) and values, read once per search: the
    query's words, its filters and the facet labels all need them."""

    themes: dict[int, Theme]
    final: dict[int, int]  # theme id -> the theme that absorbed it (itself when not merged)
    values: dict[int, Value]  # in the values' order (by number)

    @classmethod
    def load(cls) -> Taxonomy:
        themes = {t.pk: t for t in Theme.objects.all()}
        final = follow_merges({t.pk: t.merged_into_id for t in themes.values()})
        return cls(themes=themes, final=final, values={v.pk: v for v in Value.objects.all()})


def _lexicon(taxonomy: Taxonomy, languages: tuple[str, ...]) -> list[_Entry]:
    """Theme and value names (with synonyms and merged themes) as stem sequences."""
    themes, final = taxonomy.themes, taxonomy.final

    names: dict[int, set[str]] = {}
    for theme in themes.values():
        names.setdefault(final[theme.pk], set()).add(theme.name)
    for synonym in ThemeSynonym.objects.all():
        if synonym.theme_id in themes:
            names.setdefault(final[synonym.theme_id], set()).add(synonym.name)
    entries: list[_Entry] = []
    for theme_id, theme_names in names.items():
        merged = [t for t in themes.values() if final[t.pk] == theme_id]
        tokens = tuple(THEME_TOKEN.format(t.pk) for t in merged)
        phrases = tuple(sorted(_name_phrases(theme_names, languages))) + tokens
        for name in theme_names:
            entries.append(
                _Entry(
                    stems=_roots(name),
                    code=f"theme:{theme_id}",
                    label=themes[theme_id].name,
                    phrases=phrases,
                )
            )
    for value in taxonomy.values.values():
        variants = value_names(value.name)
        phrases = (
            *tuple(sorted(_name_phrases(set(variants), languages))),
            VALUE_TOKEN.format(value.pk),
        )
        for name in variants:
            entries.append(
                _Entry(
                    stems=_roots(name),
                    code=f"value:{value.pk}",
                    label=value.name,
                    phrases=phrases,
                )
            )
    return [e for e in entries if e.stems]


def _exact(phrase: str, languages: tuple[str, ...]) -> Clause | None:
    """A quoted phrase: its words next to each other, in this order (stop words kept)."""
    written = textmod.words(phrase)
    if not written:
        return None
    label = " ".join(written)
    return Clause(label=f"“{label}”", phrases=tuple(_stemmed(label, languages)))


def _free_clauses(
    written: list[str], by_first: dict[str, list[_Entry]], languages: tuple[str, ...]
) -> list[Clause]:
    """Clauses of unquoted words: theme and value names in any form first, then words."""
    roots = [textmod.root(w) for w in written]
    clauses: list[Clause] = []
    i = 0
    while i < len(written):
        found = next(
            (
                e
                for e in by_first.get(roots[i], ())
                if tuple(roots[i : i + len(e.stems)]) == e.stems
            ),
            None,
        )
        if found is not None:
            clauses.append(Clause(label=found.label, phrases=found.phrases, code=found.code))
            i += len(found.stems)
            continue
        if not textmod.is_stop(written[i]):
            clauses.append(Clause(label=written[i], phrases=word_phrases(written[i], languages)))
        i += 1
    return clauses


def meaning_text(text: str) -> str:
    """What of `text` is searched by meaning: none of it when it is only quoted phrases."""
    return text if textmod.words(_QUOTED.sub(" ", text)) else ""


def parse_query(
    text: str,
    *,
    filter_tokens: tuple[str, ...] = (),
    taxonomy: Taxonomy | None = None,
    languages: tuple[str, ...] | None = None,
) -> ParsedQuery:
    """Clauses from `text`: quoted phrases exactly, then the other words, longest theme or
    value names first; stemmed in `languages` (by default every language the archive holds)."""
    if languages is None:
        languages = analysed_languages()
    clauses: list[Clause] = []
    for quoted in _QUOTED.findall(text):
        exact = _exact(quoted, languages)
        if exact is not None:
            clauses.append(exact)
    written = textmod.words(_QUOTED.sub(" ", text))
    if written:
        by_first: dict[str, list[_Entry]] = {}
        for entry in _lexicon(taxonomy or Taxonomy.load(), languages):
            by_first.setdefault(entry.stems[0], []).append(entry)
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e.stems))
        clauses += _free_clauses(written, by_first, languages)
    # The same code asked for twice is one clause.
    unique: dict[str | tuple[str, ...], Clause] = {}
    for clause in clauses:
        unique.setdefault((clause.code or clause.phrases), clause)
    clauses = list(unique.values())
    mark_stems = frozenset(s for c in clauses for s in c.stems if s not in textmod.STOP_WORDS)
    return ParsedQuery(
        text=text,
        clauses=tuple(clauses),
        mark_stems=mark_stems,
        filter_tokens=filter_tokens,
        languages=languages,
    )
