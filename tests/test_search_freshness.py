"""A committed change reaches search at once on PostgreSQL, and bursts of changes leave few rows.

(This file never stops Elasticsearch: tests/test_search_outbox.py does that, for the outage.)
"""

from __future__ import annotations

import threading

import pytest
from django.db import transaction
from django.utils.module_loading import import_string

from archive.worker import FOLLOWERS
from search.api import search_stories
from search.backends import get_backend
from search.services import outbox_drain, outbox_follow
from stories.changes import story_changed
from stories.models import Story, StoryChange
from stories.visibility import PUBLIC_AUDIENCE


def public_titles() -> set[str]:
    return {h.story.title for h in search_stories(audience=PUBLIC_AUDIENCE, per_page=100).hits}


class CountingBackend:
    """The database backend, counting the documents each drain writes."""

    name = "counting"

    def __init__(self) -> None:
        self.backend = get_backend("database")
        self.written: list[list[int]] = []

    def apply(self, docs, gone, **kwargs):
        self.written.append(sorted([d.story_id for d in docs] + list(gone)))
        return self.backend.apply(docs, gone, **kwargs)

    def refresh(self) -> None:
        self.backend.refresh()

    def related_many(self, **kwargs):  # the drain keeps related stories of what it indexed
        return self.backend.related_many(**kwargs)

    def neighbours_many(self, **kwargs):  # and those near in meaning
        return self.backend.neighbours_many(**kwargs)


class RefusingBackend:
    name = "refusing"

    def __init__(self, refused: int) -> None:
        self.refused = refused

    def apply(self, docs, gone, **_):
        return {self.refused: "mapper_parsing_exception: bad field"}

    def refresh(self) -> None:
        pass

    def related_many(self, *, docs, **_):
        return {doc.story_id: [] for doc in docs}

    def neighbours_many(self, *, vectors, **_):
        return {story_id: [] for story_id in vectors}


def test_the_worker_starts_the_follower():
    assert import_string(FOLLOWERS[0]) is outbox_follow


@pytest.mark.postgres  # LISTEN/NOTIFY, on a connection of the follower's own
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_commit_wakes_the_drain_without_waiting_for_a_poll(make_story, settings):
    settings.SEARCH_BACKEND = "database"
    story = make_story(title="Before", text="The library opened late.")
    events: list[str] = []
    drained = threading.Event()

    def drain() -> int:
        done = outbox_drain()
        events.append("drain")
        drained.set()
        return done

    stop = threading.Event()
    runs: list[int] = []
    follower = threading.Thread(
        target=lambda: runs.append(outbox_follow(stop, tick=0.2, drain=drain)), daemon=True
    )
    follower.start()
    try:
        assert drained.wait(30), "the follower did not start"  # its catch-up drain
        assert public_titles() == {"Before"}
        drained.clear()

        with transaction.atomic():
            Story.objects.filter(pk=story.pk).update(title="After")
            story_changed(story_ids=[story.pk])
        events.append("commit")

        # The follower has no poll of its own: only the notification can wake it.
        assert drained.wait(30), "the commit's notification did not wake the drain"
    finally:
        stop.set()
        follower.join(timeout=10)
    assert events == ["drain", "commit", "drain"]
    assert runs == [2]
    assert public_titles() == {"After"}
    assert not StoryChange.objects.exists()


def test_a_burst_of_changes_to_few_stories_keeps_one_waiting_row_each(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    stories = [make_story(title=f"Story {i}") for i in range(3)]
    outbox_drain()
    assert not StoryChange.objects.exists()

    for n in range(1000):
        with transaction.atomic():
            story_changed(story_ids=[stories[n % 3].pk])

    assert StoryChange.objects.count() == 3
    backend = CountingBackend()
    assert outbox_drain(backend=backend) == 3
    assert backend.written == [sorted(s.pk for s in stories)]
    assert not StoryChange.objects.exists()


def test_the_drain_reads_a_story_once_however_many_rows_it_has(db, make_story, settings):
    settings.SEARCH_BACKEND = "database"
    stories = [make_story(title=f"Story {i}") for i in range(3)]
    outbox_drain()
    # Rows as concurrent writers can leave them (each saw the other's row locked).
    StoryChange.objects.bulk_create(StoryChange(story_id=stories[n % 3].pk) for n in range(500))
    backend = CountingBackend()

    assert outbox_drain(backend=backend, batch_size=50) == 500
    assert backend.written == [sorted(s.pk for s in stories)]
    assert not StoryChange.objects.exists()


def test_a_refused_story_keeps_one_row_with_its_error(db, make_story):
    good = make_story(title="Fine")
    bad = make_story(title="Refused")
    StoryChange.objects.bulk_create(StoryChange(story_id=bad.pk) for _ in range(50))

    outbox_drain(backend=RefusingBackend(refused=bad.pk))

    [kept] = StoryChange.objects.all()
    assert (kept.story_id, kept.attempts) == (bad.pk, 1)
    assert "mapper_parsing_exception" in kept.last_error
    # A later change to it waits beside that row (the drain has not taken it yet).
    story_changed(story_ids=[bad.pk, good.pk])
    assert sorted(StoryChange.objects.values_list("story_id", "attempts")) == sorted(
        [(bad.pk, 1), (bad.pk, 0), (good.pk, 0)]
    )
