"""The one function the archive calls when something others follow (search, page cache) changed."""

from __future__ import annotations

from collections.abc import Iterable

from stories import pagecache
from stories.models import StoryChange


def story_changed(*, story_ids: Iterable[int]) -> None:
    """Record that these stories changed: search re-reads them into (or out of) its index.

    Call it inside the transaction that made the change: the row commits with it or not at all.
    """
    StoryChange.objects.bulk_create(StoryChange(story_id=sid) for sid in set(story_ids))
    # Cached public pages follow the same log, but at once: stale when this transaction commits.
    pagecache.purge()
