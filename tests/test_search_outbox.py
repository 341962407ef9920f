"""The outbox keeps the index true: drained in bulk, nothing lost while Elasticsearch is down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils.module_loading import import_string

from archive.worker import UPKEEP
from search.api import search_stories
from search.backends import Unavailable
from search.models import IndexedStory
from search.services import index_drift, outbox_drain
from stories import services
from stories.changes import story_changed
from stories.models import Story, StoryChange
from stories.visibility import PUBLIC_AUDIENCE

SCRIPT = "scripts/elasticsearch.sh"


def public_titles() -> set[str]:
    return {h.story.title for h in search_stories(audience=PUBLIC_AUDIENCE, per_page=100).hits}


def test_every_story_change_leaves_an_outbox_row_that_the_drain_takes(search_backend, make_story):
    story = make_story(title="The bakery queue", text="We queued for bread.")
    assert StoryChange.objects.filter(story_id=story.pk).exists()

    assert outbox_drain() >= 1
    search_backend.refresh()
    assert not StoryChange.objects.exists()
    assert public_titles() == {"The bakery queue"}


def test_a_withdrawal_leaves_the_index_at_the_next_drain(search_backend, make_story, storyteller):
    story = make_story(title="Changed my mind", text="Words I want back.")
    outbox_drain()
    search_backend.refresh()
    assert public_titles() == {"Changed my mind"}

    services.consent_withdraw(story=story, actor=storyteller)
    outbox_drain()  # what the worker's upkeep loop runs every few seconds
    search_backend.refresh()

    assert public_titles() == set()
    assert story.pk not in search_backend.indexed_hashes()
    assert not index_drift().drifted


def test_the_worker_upkeep_runs_the_drain():
    assert "search.services.outbox_drain" in UPKEEP
    assert import_string("search.services.outbox_drain") is outbox_drain


@pytest.mark.postgres  # a second process (the worker) shares the test database
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_withdrawal_reaches_the_index_through_the_running_worker(
    search_backend, make_story, storyteller
):
    """The real worker process (manage.py archive_worker) drains the outbox by itself."""
    story = make_story(title="Leaving soon", text="A story about the corner shop.")
    outbox_drain()
    search_backend.refresh()
    assert public_titles() == {"Leaving soon"}

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.test",
        "DATABASE_URL": _test_database_url(),
        "SEARCH_BACKEND": django_settings.SEARCH_BACKEND,
        "ELASTICSEARCH_URL": django_settings.ELASTICSEARCH_URL,
        "SEARCH_INDEX_PREFIX": django_settings.SEARCH_INDEX_PREFIX,
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "archive_worker", "--upkeep-interval", "1"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        services.consent_withdraw(story=story, actor=storyteller)
        deadline = time.monotonic() + 60
        while StoryChange.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        search_backend.refresh()
        assert not StoryChange.objects.exists(), "the worker did not drain the outbox"
        assert public_titles() == set()
        assert story.pk not in search_backend.indexed_hashes()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


class RefusingBackend:
    """Stands in for a backend that refuses one story (say a mapping error)."""

    name = "refusing"

    def __init__(self, refused: int) -> None:
        self.refused = refused
        self.taken: list[int] = []

    def apply(self, docs, gone, **_):
        self.taken += [d.story_id for d in docs]
        return {self.refused: "mapper_parsing_exception: bad field"}

    def refresh(self) -> None:
        pass

    def related_many(self, *, docs, **_):  # the drain keeps related stories of what it took
        return {doc.story_id: [] for doc in docs}

    def neighbours_many(self, *, vectors, **_):
        return {story_id: [] for story_id in vectors}


def test_a_refused_story_keeps_its_row_and_error_while_the_others_go_through(db, make_story):
    good = make_story(title="Fine")
    bad = make_story(title="Refused")
    backend = RefusingBackend(refused=bad.pk)

    outbox_drain(backend=backend)

    kept = list(StoryChange.objects.all())
    assert {(r.story_id, r.attempts) for r in kept} == {(bad.pk, 1)}
    assert all("mapper_parsing_exception" in r.last_error and r.last_attempt_at for r in kept)
    assert good.pk in backend.taken


def test_rows_wait_with_their_error_while_the_backend_is_unreachable(db, settings, make_story):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.SEARCH_ES_TIMEOUT = 2
    make_story(title="Waiting")
    rows = StoryChange.objects.count()

    assert outbox_drain() == 0
    assert StoryChange.objects.count() == rows
    assert all(r.attempts == 1 for r in StoryChange.objects.all())
    assert "did not take the update" in StoryChange.objects.first().last_error
    with pytest.raises(Unavailable):
        search_stories(audience=PUBLIC_AUDIENCE)


def _test_database_url() -> str:
    """The test database, for a second process (the worker) to use."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    name = str(db["TEST"].get("NAME") or db["NAME"])
    if connection.vendor == "sqlite" and "memory" not in name:
        return f"sqlite:///{name}"
    raise RuntimeError(
        "This test runs the worker as a second process, which cannot open an in-memory "
        "SQLite test database: run the tests on PostgreSQL (DATABASE_URL=$(scripts/postgres.sh "
        "url)), as `make test` does."
    )


def _script(command: str) -> str:
    done = subprocess.run(
        [SCRIPT, command],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{SCRIPT} {command} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


@pytest.mark.elasticsearch
def test_changes_made_while_elasticsearch_is_down_reach_the_index_when_it_returns(
    es_backend, make_story, storyteller, curator
):
    """For real: the node is stopped and started with scripts/elasticsearch.sh."""
    url = _script("url")
    if url.rstrip("/") != django_settings.ELASTICSEARCH_URL.rstrip("/"):
        raise RuntimeError(
            f"{SCRIPT} runs its node at {url} but the tests use ELASTICSEARCH_URL="
            f"{django_settings.ELASTICSEARCH_URL}: set ES_PORT so that they agree."
        )
    make_story(title="Kept story", text="The choir met in the church hall.")
    withdrawn = make_story(title="Withdrawn later", text="The choir sang at the fair.")
    renamed = make_story(title="Old title", text="The choir went on tour.")
    approved = make_story(title="Published later", text="A choir of forty.", status="approved")
    outbox_drain()
    es_backend.refresh()
    assert public_titles() == {"Kept story", "Withdrawn later", "Old title"}

    _script("stop")
    try:
        services.consent_withdraw(story=withdrawn, actor=storyteller)
        Story.objects.filter(pk=renamed.pk).update(title="New title")
        story_changed(story_ids=[renamed.pk])
        services.story_publish(story=approved, actor=curator)
        make_story(title="Told while it was down", text="The choir again.")

        assert outbox_drain() == 0
        waiting = list(StoryChange.objects.all())
        assert waiting and all(r.attempts >= 1 and r.last_error for r in waiting)
        with pytest.raises(Unavailable):
            search_stories(audience=PUBLIC_AUDIENCE)
    finally:
        _script("start")

    es_backend.client.cluster.health(wait_for_status="yellow", timeout="60s")
    assert outbox_drain() >= len(waiting)
    es_backend.refresh()

    assert not StoryChange.objects.exists()
    drift = index_drift()
    assert (drift.missing, drift.stale, drift.extra) == ([], [], [])
    assert public_titles() == {
        "Kept story",
        "New title",
        "Published later",
        "Told while it was down",
    }
    assert withdrawn.pk not in es_backend.indexed_hashes()


def test_the_database_backend_forgets_a_deleted_story(search_backend, make_story):
    story = make_story(title="Gone entirely")
    outbox_drain()
    if search_backend.name == "database":
        assert IndexedStory.objects.filter(story_id=story.pk).exists()
    Story.objects.filter(pk=story.pk).delete()
    story_changed(story_ids=[story.pk])
    outbox_drain()
    search_backend.refresh()
    assert story.pk not in search_backend.indexed_hashes()
