"""The embedded backend filters on the visibility keys it indexed with each story, the way
Elasticsearch does: expiry and seal are compared with the time of the search, a withdrawal
takes the story's index row away in its own transaction, and one statement reads the index."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.backends.database import DatabaseBackend
from search.models import IndexedPassage, IndexedStory
from search.query import parse_query
from stories import services
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex

DAY = datetime.timedelta(days=1)


def found(query: str, now: datetime.datetime) -> set[int]:
    raw = DatabaseBackend().search(
        audience=PUBLIC_AUDIENCE,
        parsed=parse_query(query),
        filters={},
        sort="relevance",
        offset=0,
        limit=20,
        now=now,
    )
    return {h.story_id for h in raw.hits}


def test_a_consent_that_ends_leaves_search_on_its_date_without_reindexing(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    now = timezone.now()
    story = make_story(title="Allotment", consent={"expires_at": now + DAY})
    reindex(story)

    assert found("allotment", now) == {story.pk}
    assert found("allotment", now + 2 * DAY) == set()


def test_a_sealed_story_appears_when_its_seal_lifts(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    now = timezone.now()
    story = make_story(title="Allotment", consent={"sealed_until": now.date() + 5 * DAY})
    reindex(story)

    assert found("allotment", now) == set()
    assert found("allotment", now + 6 * DAY) == {story.pk}


def test_withdrawal_deletes_the_index_row_in_its_own_transaction(
    db, make_story, storyteller, settings
):
    settings.SEARCH_BACKEND = "database"
    story = make_story(title="Allotment", text="My allotment is gone.")
    reindex(story)
    assert IndexedStory.objects.filter(story_id=story.pk).exists()

    services.consent_withdraw(story=story, actor=storyteller)

    # No drain yet: the index keeps neither the story nor its words.
    assert not IndexedStory.objects.filter(story_id=story.pk).exists()
    assert not IndexedPassage.objects.filter(story_id=story.pk).exists()
    assert found("allotment", timezone.now()) == set()


def test_a_search_reads_the_story_index_once(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    stories = [make_story(title=f"Allotment {i}") for i in range(3)]
    reindex(*stories)

    with CaptureQueriesContext(connection) as queries:
        raw = DatabaseBackend().search(
            audience=PUBLIC_AUDIENCE,
            parsed=parse_query("allotment"),
            filters={},
            sort="relevance",
            offset=0,
            limit=2,
            now=timezone.now(),
        )

    assert raw.total == 3 and len(raw.hits) == 2
    assert sum(raw.facets["kind"].values()) == 3
    # Page, total and facet counts come from one read of the matching rows.
    reads = [q for q in queries.captured_queries if "archive_search_indexedstory" in q["sql"]]
    assert len(reads) == 1, [q["sql"] for q in reads]
