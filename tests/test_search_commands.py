"""manage.py search_reindex (new index, alias swap, no downtime) and search_check (drift)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from search.api import search_stories
from search.backends.elastic import MAPPING_VERSION
from search.documents import build_docs, iter_all_story_ids
from search.services import index_drift, outbox_drain
from stories.models import Story, StoryChange
from stories.visibility import PUBLIC_AUDIENCE


def titles() -> set[str]:
    return {h.story.title for h in search_stories(audience=PUBLIC_AUDIENCE, per_page=100).hits}


def run(command: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_reindex_rebuilds_everything_from_the_database(search_backend, make_story):
    make_story(title="First", text="One.")
    make_story(title="Second", text="Two.")
    StoryChange.objects.all().delete()  # as if the index had lost them
    search_backend.refresh()
    assert titles() == set()

    code, out, err = run("search_reindex")

    assert code == 0
    assert "Indexed 2 stories" in out
    assert "2/2" in err  # the progress bar
    search_backend.refresh()
    assert titles() == {"First", "Second"}


def test_check_reports_each_kind_of_drift_and_exits_non_zero(search_backend, make_story):
    missing = make_story(title="Missing", text="Lost from the index.")
    stale = make_story(title="Stale", text="Changed behind the index's back.")
    extra = make_story(title="Extra", text="Withdrawn behind the index's back.")
    make_story(title="Fine", text="In step.")
    outbox_drain()
    search_backend.refresh()
    assert run("search_check")[0] == 0

    search_backend.apply([], [missing.pk])
    Story.objects.filter(pk=stale.pk).update(title="Stale, renamed")
    Story.objects.filter(pk=extra.pk).update(status="withdrawn")
    search_backend.refresh()

    code, out, err = run("search_check")
    assert code == 1
    assert f"1 missing from the index: {missing.pk}" in out
    assert f"1 stale in the index: {stale.pk}" in out
    assert f"1 in the index but should not be: {extra.pk}" in out
    assert "drifted" in err

    code, out, _ = run("search_check", "--fix")
    assert code == 1 and "Queued 3 stories" in out
    outbox_drain()
    search_backend.refresh()
    assert run("search_check")[0] == 0


@pytest.mark.elasticsearch
def test_reindex_swaps_the_alias_without_downtime_and_keeps_changes_made_meanwhile(
    es_backend, make_story
):
    for i in range(5):
        make_story(title=f"Story {i}", text="About the allotment.")
    outbox_drain()
    es_backend.refresh()
    [old] = es_backend.aliased(es_backend.alias)
    assert old == f"{es_backend.prefix}-stories-v{MAPPING_VERSION}"
    seen_during: list[set[str]] = []

    def progress(n: int) -> None:
        # Mid-rebuild: searches still answer from the old index; a change drained now reaches
        # both indices.
        seen_during.append(titles())
        if len(seen_during) == 1:
            story = Story.objects.get(title="Story 0")
            Story.objects.filter(pk=story.pk).update(title="Story 0, renamed mid-rebuild")
            StoryChange.objects.create(story_id=story.pk)
            outbox_drain()
            es_backend.refresh()

    name = es_backend.rebuild(iter_all_story_ids(2), build_docs, progress=progress)

    assert len(seen_during) == 3
    assert all(len(seen) == 5 for seen in seen_during)
    assert es_backend.aliased(es_backend.alias) == [name]
    assert name.startswith(f"{es_backend.alias}-v{MAPPING_VERSION}-")
    assert es_backend.aliased(es_backend.next_alias) == []
    assert not es_backend.client.indices.exists(index=old)
    assert "Story 0, renamed mid-rebuild" in titles()
    assert not index_drift().drifted
    assert set(es_backend.mapping_versions().values()) == {MAPPING_VERSION}


@pytest.mark.elasticsearch
def test_check_asks_for_a_reindex_when_the_mapping_version_moved_on(
    es_backend, make_story, monkeypatch
):
    make_story(title="Any", text="Story.")
    outbox_drain()
    es_backend.refresh()
    assert run("search_check")[0] == 0

    monkeypatch.setattr(
        "search.management.commands.search_check.MAPPING_VERSION", MAPPING_VERSION + 1
    )
    code, out, _ = run("search_check")
    assert code == 1
    assert f"has mapping version {MAPPING_VERSION}" in out
    assert "search_reindex" in out
