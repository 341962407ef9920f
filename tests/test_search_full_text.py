"""The embedded backend matches on the database's own full-text engine (FTS5 on SQLite, a
GIN-indexed tsvector on PostgreSQL) and finds exactly what the LIKE match found."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from search.backends import get_backend
from search.backends.database import DatabaseBackend, LikeDatabaseBackend
from search.documents import build_docs
from search.query import parse_query
from search.services import outbox_drain
from stories import services
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import add_transcript, reindex, tag, theme


def found(backend, query: str) -> set[int]:
    raw = backend.search(
        audience=PUBLIC_AUDIENCE,
        parsed=parse_query(query),
        filters={},
        sort="relevance",
        offset=0,
        limit=100,
        now=timezone.now(),
    )
    return {h.story_id for h in raw.hits}


def full_text_rows(query: str) -> set[int]:
    """Story ids the database's full-text index itself answers for one stem."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM archive_search_storyfts WHERE archive_search_storyfts MATCH %s",
                [f'"{query}"'],
            )
        else:
            cursor.execute(
                "SELECT story_id FROM archive_search_indexedstory WHERE terms_tsv @@ %s::tsquery",
                [f"'{query}'"],
            )
        return {row[0] for row in cursor.fetchall()}


def test_the_index_follows_every_write_and_withdrawal(db, make_story, storyteller, settings):
    settings.SEARCH_BACKEND = "database"
    kept = make_story(title="Allotment", text="The allotment gate was locked.")
    leaving = make_story(title="Plots", text="My allotment is gone.")
    outbox_drain()
    assert full_text_rows("allot") == {kept.pk, leaving.pk}

    services.consent_withdraw(story=leaving, actor=storyteller)
    outbox_drain()
    assert full_text_rows("allot") == {kept.pk}
    # Rebuilt from nothing: the same.
    get_backend().rebuild([[kept.pk, leaving.pk]], build_docs)
    assert full_text_rows("allot") == {kept.pk}


def test_a_word_is_a_whole_word_and_a_phrase_keeps_its_order(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    theme("Isolation", "cut off")
    bus = make_story(title="Route", text="The bus came late.")
    business = make_story(title="Shop", text="The business closed early.")
    said = make_story(title="Winter", text="We were cut off all winter.")
    turned = make_story(title="Queue", text="Off we went; they cut the line.")
    reindex(bus, business, said, turned)
    backend = DatabaseBackend()

    assert found(backend, "bus") == {bus.pk}
    assert found(backend, "business") == {business.pk}
    assert found(backend, "cut off") == {said.pk}


def test_full_text_finds_what_the_like_match_finds(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    isolation = theme("Isolation", "loneliness", "cut off")
    food = theme("Food", "food bank")
    stories = [
        make_story(title="Winter", text="The loneliness was hard; we were cut off."),
        make_story(title="Parcels", text="The food bank ran out of bread on Tuesdays."),
        make_story(title="Bank", text="The bank closed; food prices went up."),
        make_story(title="Garden group", text="Our garden group met every Tuesday."),
        make_story(title="Tagged", text="Nobody came round for months."),
    ]
    tag(stories[4], isolation)
    tag(stories[3], food)
    add_transcript(stories[3], [(0.0, 4.0, "We grew food for the food bank.")])
    reindex(*stories)
    queries = [
        "isolation",
        "loneliness",
        "food bank",
        "food",
        "bank food",
        "garden tuesday",
        "garden group tuesday swimming",
        "cut off",
        "swimming",
    ]

    for query in queries:
        assert found(DatabaseBackend(), query) == found(LikeDatabaseBackend(), query), query
    assert found(DatabaseBackend(), "isolation") == {stories[0].pk, stories[4].pk}
    # The fourth says it in its transcript.
    assert found(DatabaseBackend(), "bank") == {s.pk for s in stories[1:4]}
