"""The one function other apps call when something that search shows has changed."""

from __future__ import annotations

from collections.abc import Iterable

from search.models import OutboxEntry


def index_stories_changed(*, story_ids: Iterable[int]) -> None:
    """Record that these stories must be re-read into (or removed from) the search index.

    Call it inside the transaction that made the change: the row commits with it or not at all.
    """
    OutboxEntry.objects.bulk_create(OutboxEntry(story_id=sid) for sid in set(story_ids))
