"""A rebuild of the Elasticsearch index loads in parallel bulk requests into an index with no
replicas and no periodic refresh, and puts both back when the load ends, failed or not."""

from __future__ import annotations

import pytest

from search.api import search_stories
from search.documents import build_docs, iter_all_story_ids
from search.services import outbox_drain
from stories.visibility import PUBLIC_AUDIENCE

pytestmark = pytest.mark.elasticsearch


def titles() -> set[str]:
    return {h.story.title for h in search_stories(audience=PUBLIC_AUDIENCE, per_page=100).hits}


def index_settings(backend, name: str) -> dict:
    found = backend.client.indices.get_settings(index=name, include_defaults=False)
    return found[name]["settings"]["index"]


def test_a_rebuild_loads_without_replicas_or_refresh_then_serves_with_them(
    es_backend, make_story, settings
):
    settings.SEARCH_ES_REPLICAS = 1  # what a cluster runs with
    for i in range(9):
        make_story(title=f"Story {i}", text="About the allotment.")
    outbox_drain()
    es_backend.refresh()
    during: list[dict] = []

    def progress(n: int) -> None:
        [loading] = es_backend.aliased(es_backend.next_alias)
        during.append(index_settings(es_backend, loading))

    # Batches of two: five bulk requests, more than the rebuild keeps in flight at once.
    name = es_backend.rebuild(iter_all_story_ids(2), build_docs, progress=progress)

    assert len(during) == 5
    assert all(s["refresh_interval"] == "-1" for s in during)
    assert all(s["number_of_replicas"] == "0" for s in during)
    served = index_settings(es_backend, name)
    assert "refresh_interval" not in served  # the default: refreshed every second again
    assert served["number_of_replicas"] == "1"
    assert es_backend.aliased(es_backend.alias) == [name]
    assert titles() == {f"Story {i}" for i in range(9)}


def test_a_failed_rebuild_puts_the_settings_back_and_keeps_the_live_index(
    es_backend, make_story, settings, monkeypatch
):
    settings.SEARCH_ES_REPLICAS = 1
    for i in range(5):
        make_story(title=f"Story {i}", text="About the allotment.")
    outbox_drain()
    es_backend.refresh()
    [live] = es_backend.aliased(es_backend.alias)
    built: list[list[int]] = []

    def build_then_fail(ids: list[int]):
        built.append(ids)
        if len(built) == 2:
            raise RuntimeError("the database went away mid-rebuild")
        return build_docs(ids)

    # What the abandoned index looked like when the rebuild let go of it.
    at_deletion: dict[str, dict] = {}
    indices = es_backend.client.indices
    delete = indices.delete

    def delete_noting_settings(*, index, **kwargs):
        if index != live and indices.exists(index=index):
            at_deletion[index] = index_settings(es_backend, index)
        return delete(index=index, **kwargs)

    monkeypatch.setattr(indices, "delete", delete_noting_settings)

    with pytest.raises(RuntimeError, match="went away"):
        es_backend.rebuild(iter_all_story_ids(2), build_then_fail)

    [(abandoned, left)] = at_deletion.items()
    assert abandoned != live
    assert "refresh_interval" not in left
    assert left["number_of_replicas"] == "1"
    assert not indices.exists(index=abandoned)
    assert es_backend.aliased(es_backend.alias) == [live]
    assert es_backend.aliased(es_backend.next_alias) == []
    assert titles() == {f"Story {i}" for i in range(5)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rebuild_of_committed_stories_builds_in_other_processes_to_the_same_index(
    es_backend, make_story, settings, monkeypatch
):
    from search.backends import elastic

    settings.SEARCH_REBUILD_PROCESSES = 2
    for i in range(9):
        make_story(title=f"Story {i}", text=f"About the allotment, week {i}.")
    assert elastic._can_fork(build_docs)
    used: list[str] = []
    in_processes = es_backend._load_in_processes

    def noting(*args, **kwargs):
        used.append("processes")
        return in_processes(*args, **kwargs)

    monkeypatch.setattr(es_backend, "_load_in_processes", noting)
    # Batches of one: nine batches, more than PROCESS_MIN_BATCHES.
    es_backend.rebuild(iter_all_story_ids(1), build_docs)

    assert used == ["processes"]
    assert titles() == {f"Story {i}" for i in range(9)}
    # Each document as the in-process build makes it (its fingerprint covers every field).
    docs, _ = build_docs([s for batch in iter_all_story_ids(100) for s in batch])
    assert es_backend.indexed_hashes() == {d.story_id: d.source_hash for d in docs}


def test_inside_a_transaction_a_rebuild_builds_in_its_own_process(db, settings):
    from search.backends import elastic

    settings.SEARCH_REBUILD_PROCESSES = 2
    assert not elastic._can_fork(build_docs)  # other processes could not see what is uncommitted
