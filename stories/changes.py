"""The one function the archive calls when something others follow (search, page cache) changed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from stories import pagecache
from stories.models import StoryChange

# PostgreSQL delivers a NOTIFY on this channel when the transaction that wrote the change log
# commits; the search worker LISTENs on it and drains at once (search.services.outbox_follow).
CHANNEL = "archive_story_changed"


def story_changed(*, story_ids: Iterable[int]) -> None:
    """Record that these stories changed: search re-reads them into (or out of) its index.

    Call it inside the transaction that made the change: the row commits with it or not at all.
    A story that already has a row no drain has taken yet gets no second one: that row, held
    until this transaction commits, makes the drain read the story after the change.
    """
    ids = set(story_ids)
    if not ids:
        return
    with transaction.atomic():
        waiting = set(
            StoryChange.objects.select_for_update(skip_locked=True)
            .filter(story_id__in=ids, attempts=0)
            .values_list("story_id", flat=True)
        )
        StoryChange.objects.bulk_create(StoryChange(story_id=sid) for sid in ids - waiting)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
    # Cached public pages follow the same log, but at once: stale when this transaction commits.
    pagecache.purge()
