"""Which indexed stories say a word or a phrase: the embedded backend's text match.

Each phrase is stemmed already (search.query); a phrase of several words must appear in that
order, exactly. The match runs on the database's own full-text engine (migration 0005):
- SQLite: the FTS5 table `archive_search_storyfts` over each story's stemmed text, asked with
  FTS5 phrases ("a b" is those tokens next to each other, like LIKE '% a b %').
- PostgreSQL: the GIN-indexed tsvector `terms_tsv` of each story's distinct stems finds the
  stories with every word of a phrase; a phrase of several words is then confirmed in the
  stemmed text with LIKE (on those rows only), so phrases stay exact however long the text.
Other engines, and the benchmark's baseline, use LIKE on the space-delimited stems.

Each match is a condition on IndexedStory (on SQLite a subquery on story ids), so it composes
with the visibility keys and facet filters wherever the outer query puts it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

FTS5_TABLE = "archive_search_storyfts"


def has(field: str, phrase: str) -> Q:
    """`field` (space-delimited stems) holds the words of `phrase` in order: LIKE."""
    return Q(**{f"{field}__contains": f" {phrase} "})


def has_any(field: str, phrases: Iterable[str]) -> Q:
    q = Q()
    for phrase in phrases:
        q |= has(field, phrase)
    return q


def says_like(phrases: Iterable[str]) -> Q:
    """LIKE on stems: each word looked up in a story's distinct terms, and a phrase of several
    words checked in the full text only where all its words are (the pre-FTS match)."""
    q = Q()
    for phrase in phrases:
        words = phrase.split()
        if len(words) == 1:
            q |= has("terms", phrase)
        else:
            both = Q(*[has("terms", w) for w in dict.fromkeys(words)])
            q |= both & has("all_stem", phrase)
    return q


def says(phrases: Iterable[str]) -> Q:
    """Stories whose stemmed text says any of `phrases`, on the database's full-text engine."""
    phrases = [p for p in phrases if p.strip()]
    if not phrases:
        return Q(pk__in=[])
    if connection.vendor == "sqlite":
        return Q(story_id__in=_sqlite_fts5(phrases))
    if connection.vendor == "postgresql":
        return Q(_postgres_tsvector(phrases))
    return says_like(phrases)


def fts5_query(phrases: Iterable[str]) -> str:
    """An FTS5 query for any of `phrases`: each one quoted, so it is a phrase of tokens."""
    return " OR ".join('"{}"'.format(p.replace('"', '""')) for p in phrases)


def _sqlite_fts5(phrases: list[str]) -> RawSQL:
    sql = f"SELECT rowid FROM {FTS5_TABLE} WHERE {FTS5_TABLE} MATCH %s"  # noqa: S608 (constant)
    return RawSQL(sql, [fts5_query(phrases)])  # noqa: S611 (the query is a parameter)


def tsquery(words: Iterable[str]) -> str:
    """A tsquery (its text form) needing every one of `words`, each taken as it is."""
    return " & ".join(dict.fromkeys(_lexeme(w) for w in words))


def _lexeme(word: str) -> str:
    return "'{}'".format(word.replace("\\", "\\\\").replace("'", "''"))


def title_has(done: list[str], prefix: str) -> Q:
    """Titles with every word of `done` and a word that starts with `prefix`.

    On PostgreSQL through a GIN index of the title's words (migration 0007), so that a
    prefix few titles have is not looked for in every title, newest first.
    """
    if connection.vendor == "postgresql" and (done or prefix):
        terms = [_lexeme(w) for w in done] + ([f"{_lexeme(prefix)}:*"] if prefix else [])
        sql = f"{TITLE_WORDS_TSV} @@ %s::tsquery"
        return Q(RawSQL(sql, [" & ".join(terms)], output_field=BooleanField()))  # noqa: S611
    q = Q()
    for word in done:
        q &= has("title_words", word)
    if prefix:
        q &= Q(title_words__contains=f" {prefix}")
    return q


# The indexed expression (migration 0007): the planner uses the index only for this very text.
TITLE_WORDS_TSV = (
    'array_to_tsvector(string_to_array(btrim("archive_search_indexedstory"."title_words"), \' \'))'
)


def has_facet(facet: str, keys: list[str]) -> Q | None:
    """Stories counted under any of `keys` of `facet`, where the full-text index holds facet
    keys (PostgreSQL: "facet=key" in `terms_tsv`, migration 0007); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    query = " | ".join(_lexeme(f"{facet}={key}") for key in keys)
    sql = f"{_ROW}.terms_tsv @@ %s::tsquery"
    return Q(RawSQL(sql, [query], output_field=BooleanField()))  # noqa: S611


def _postgres_tsvector(phrases: list[str]) -> RawSQL:
    # One tsquery for the GIN index: any phrase, all of its words. A condition on the indexed
    # row itself, not a subquery, so the match, the visibility keys and the order are read
    # from the same rows, once, and no row's tsvector is read again to test it.
    params = [" | ".join(f"({tsquery(p.split())})" for p in phrases)]
    sql = f"{_ROW}.terms_tsv @@ %s::tsquery"
    single = [p for p in phrases if " " not in p]
    # A phrase with one of the single words in it ("food bank" beside "food") needs no check:
    # every story that has all its words has that word.
    several = [p for p in phrases if " " in p and not set(p.split()) & set(single)]
    if several:
        # A phrase of several words keeps its order: left out are the few rows that have
        # every word of such a phrase, none of the single words and none of the phrases as
        # written (LIKE on the stemmed text). Those are found apart, through the index too.
        exclude = [
            "SELECT story_id FROM archive_search_indexedstory WHERE terms_tsv @@ %s::tsquery"
        ]
        params.append(" | ".join(f"({tsquery(p.split())})" for p in several))
        if single:
            exclude.append("NOT terms_tsv @@ %s::tsquery")
            params.append(" | ".join(tsquery([p]) for p in single))
        exclude += ["all_stem NOT LIKE %s" for _ in several]
        params += [f"% {_like_escaped(p)} %" for p in several]
        sql += f" AND {_ROW}.story_id NOT IN (" + " AND ".join(exclude) + ")"
    # Words are parameters.
    return RawSQL(f"({sql})", params, output_field=BooleanField())  # noqa: S611


_ROW = '"archive_search_indexedstory"'


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
