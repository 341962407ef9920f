"""Keeping the search index true to the database: indexing, the outbox drain, drift checks.

Every change to what search shows writes a change-log row in its own transaction
(`stories.changes.story_changed`). `outbox_drain` takes rows in bulk, re-reads their stories
(once per story however many rows it has) and writes them to the backend; rows are deleted
only once the backend took the update. The worker runs it when PostgreSQL notifies a commit
(`outbox_follow`) and every few seconds besides (its upkeep loop). While Elasticsearch is down
the rows stay, with their attempts and last error, and the next drain after it returns catches
up; a story the backend refuses keeps one row. Each story the backend took has its related
stories ranked and kept in the same step (search.related), so pages need not ask per view.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from search import languages, vectors
from search.backends import Unavailable, get_backend
from search.documents import StoryDoc, build_docs, iter_all_story_ids
from search.models import RelatedList
from search.related import related_forget, related_store
from stories.changes import CHANNEL
from stories.models import Story, StoryChange

logger = logging.getLogger(__name__)


def _version() -> int:
    """Taken before the database is read: a later read always carries a higher version."""
    return time.time_ns() // 1000


def index_stories(*, story_ids, backend=None) -> dict[int, str]:
    """Write these stories' current state to the index now (withdrawn ones are removed).

    Returns the stories the backend refused, with its reason; raises Unavailable when the
    backend cannot be reached. Services do not call this: they write outbox rows.
    """
    backend = backend or get_backend()
    version = _version()
    docs, gone = build_indexable(story_ids)
    return _apply(backend, docs, gone, version)


def _apply(backend, docs: list[StoryDoc], gone: list[int], version: int) -> dict[int, str]:
    """Index and delete, then keep the related stories of what the backend took (and let go
    of those gone), so that story pages read them rather than ask per view."""
    errors = backend.apply(docs, gone, version=version)
    languages.forget()  # a story may bring a language new to the archive
    related_forget(story_ids=gone)
    taken = [doc for doc in docs if doc.story_id not in errors]
    if taken:
        backend.refresh()  # Elasticsearch ranks against what it can search: these too
        related_store(docs=taken, backend=backend)
    return errors


def build_indexable(story_ids) -> tuple[list[StoryDoc], list[int]]:
    """The documents of these stories with their passages' vectors (see search.vectors)."""
    docs, gone = build_docs(story_ids)
    vectors.attach(docs, gone)
    return docs, gone


def index_story(*, story: Story, backend=None) -> dict[int, str]:
    return index_stories(story_ids=[story.pk], backend=backend)


def outbox_drain(*, batch_size: int | None = None, max_batches: int = 25, backend=None) -> int:
    """Drain pending outbox rows to the search backend; returns how many rows were done.

    Stops early (rows kept, attempts and error recorded) when the backend is unavailable; a
    failed drain logs one line (the worker runs this every few seconds), never a traceback.
    """
    try:
        backend = backend or get_backend()
    except Unavailable as exc:
        logger.warning("Search outbox: rows wait; %s", exc)
        return 0
    batch_size = batch_size or settings.SEARCH_DRAIN_BATCH
    done = 0
    for _ in range(max_batches):
        drained, more = _drain_batch(backend, batch_size)
        done += drained
        if not more:
            break
    return done


def _drain_batch(backend, batch_size: int) -> tuple[int, bool]:
    with transaction.atomic():
        taken = list(
            StoryChange.objects.select_for_update(skip_locked=True).order_by("attempts", "id")[
                :batch_size
            ]
        )
        if not taken:
            return 0, False
        story_ids = sorted({r.story_id for r in taken})
        # Every waiting row of these stories is done by the one read below: many changes to
        # a story become one document. Locked before the read, so a change committed later
        # keeps its row for the next drain.
        rows = list(
            StoryChange.objects.select_for_update(skip_locked=True)
            .filter(story_id__in=story_ids)
            .order_by("id")
        )
        try:
            version = _version()
            docs, gone = build_indexable(story_ids)
            errors = _apply(backend, docs, gone, version)
        except Unavailable as exc:
            _record_failure(taken, str(exc))
            logger.warning("Search outbox: %s rows wait; %s", len(rows), exc)
            return 0, False
        for story_id, error in errors.items():
            logger.error("Search index refused story %s: %s", story_id, error)
        # A refused story keeps one row (its oldest, with the error); its others go.
        kept: dict[int, StoryChange] = {}
        for row in rows:
            if row.story_id in errors:
                kept.setdefault(row.story_id, row)
        for story_id, row in kept.items():
            _record_failure([row], errors[story_id])
        kept_ids = {r.pk for r in kept.values()}
        StoryChange.objects.filter(pk__in=[r.pk for r in rows if r.pk not in kept_ids]).delete()
        done = sum(1 for r in rows if r.story_id not in errors)
        return done, len(taken) == batch_size


def _record_failure(rows: list[StoryChange], error: str) -> None:
    StoryChange.objects.filter(pk__in=[r.pk for r in rows]).update(
        attempts=F("attempts") + 1, last_error=error[:4000], last_attempt_at=timezone.now()
    )


def outbox_follow(
    stop: threading.Event, *, tick: float = 0.5, drain: Callable[[], int] | None = None
) -> int:
    """Drain as soon as a change commits, until `stop` is set; returns how many drains ran.

    On PostgreSQL, `story_changed` sends a NOTIFY that its commit delivers; this listens on
    a connection of its own and drains on each wake-up (notifications that arrive together
    wake it once). The worker's upkeep still drains every few seconds: the fallback when a
    notification is missed (say while this reconnects) and the only way on SQLite, where this
    returns at once. `tick` is how often it looks at `stop`.
    """
    if connection.vendor != "postgresql":
        return 0
    drain = drain or outbox_drain
    drains = 0
    while not stop.is_set():
        try:
            listener = connection.get_new_connection(connection.get_connection_params())
            try:
                listener.autocommit = True
                listener.execute(f"LISTEN {CHANNEL}")
                drain()  # what committed before it listened
                drains += 1
                while not stop.is_set():
                    if any(True for _ in listener.notifies(timeout=tick, stop_after=1)):
                        drain()
                        drains += 1
            finally:
                listener.close()
        except Exception as exc:  # the database may be briefly away: the poll covers it
            logger.warning("Search outbox: not listening for changes (%s); polling.", exc)
            stop.wait(5)
        finally:
            close_old_connections()
    return drains


def index_rebuild(
    *,
    backend=None,
    progress: Callable[[int], None] = lambda n: None,
    batch: int = 500,
    keep_old: bool = False,
) -> str:
    """A fresh index of every story, swapped in when complete (see each backend's rebuild).

    Returns the new index's name; `keep_old` keeps the previous index (Elasticsearch).
    """
    backend = backend or get_backend()
    name = backend.rebuild(
        iter_all_story_ids(batch), build_indexable, progress=progress, keep_old=keep_old
    )
    languages.forget()
    related_rebuild(backend=backend, batch=batch)
    return name


def related_rebuild(*, backend, batch: int = 500) -> int:
    """Every story's related stories ranked again on the index now in use; returns how many.

    Lists of stories no longer indexed (withdrawn since, or deleted) are dropped.
    """
    started = timezone.now()
    done = 0
    for ids in iter_all_story_ids(batch):
        docs, gone = build_docs(ids)
        related_forget(story_ids=gone)
        done += related_store(docs=docs, backend=backend, now=timezone.now())
    stale = RelatedList.objects.filter(computed_at__lt=started)
    related_forget(story_ids=stale.values_list("story_id", flat=True))
    return done


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)  # should be in the index, are not
    stale: list[int] = field(default_factory=list)  # in the index with other content
    extra: list[int] = field(default_factory=list)  # in the index, should not be (withdrawn…)
    pending: int = 0  # outbox rows not yet drained

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.stale or self.extra)

    @property
    def story_ids(self) -> list[int]:
        return sorted({*self.missing, *self.stale, *self.extra})


def index_drift(*, backend=None, progress: Callable[[int], None] = lambda n: None) -> Drift:
    """Compare every story's document, as the database says it is now, with the index."""
    backend = backend or get_backend()
    indexed = backend.indexed_hashes()
    drift = Drift(pending=StoryChange.objects.count())
    for ids in iter_all_story_ids(500):
        docs, _gone = build_docs(ids)
        for doc in docs:
            found = indexed.pop(doc.story_id, None)
            if found is None:
                drift.missing.append(doc.story_id)
            elif found != doc.source_hash:
                drift.stale.append(doc.story_id)
        progress(len(ids))
    drift.extra = sorted(indexed)
    return drift
