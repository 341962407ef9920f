"""The research charts' counts, kept until anything they count changes.

Each chart's count is one aggregate over every story the viewer may see: about half a second a
chart over 175,000 stories on two cores, and the same on every visit until a story, its
consent, a tag, a code, a collection or a project membership changes. Every one of those
changes already ends the public pages' generation (`stories.pagecache`: the change log, and a
signal on each model the charts read), and so does a consent that ends by its date. So the
counts are filed under that generation and under who is looking (their id and roles: their
own stories and their project memberships are part of what they see) and the filters. A count
never outlives a change, and never passes from one viewer to another. Off where the page
cache is off (`ARCHIVE_PAGE_CACHE_SECONDS=0`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.conf import settings

from stories import pagecache
from stories.visibility import Audience

P = ParamSpec("P")
F = TypeVar("F")  # the chart filters (a frozen dataclass: its repr is its value)
T = TypeVar("T")


def _key(name: str, audience: Audience, filters: object, args: tuple, kwargs: dict) -> str:
    # Lists (codes asked for) become tuples so that equal requests give equal keys.
    plain = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    who = (audience.user_id, tuple(sorted(audience.roles)))
    parts = repr((name, who, filters, plain, sorted(kwargs.items())))
    digest = hashlib.sha256(parts.encode()).hexdigest()
    return f"research-charts:{pagecache.generation()}:{digest}"


def kept_until_changed(
    count: Callable[Concatenate[Audience, F, P], T],
) -> Callable[Concatenate[Audience, F, P], T]:
    """Keep what `count` returns for this viewer and these filters in this generation."""

    @wraps(count)
    def kept(audience: Audience, filters: F, *args: P.args, **kwargs: P.kwargs) -> T:
        if not pagecache.enabled():
            return count(audience, filters, *args, **kwargs)
        key = _key(count.__name__, audience, filters, args, kwargs)
        cache = pagecache.page_cache()
        found: T | None = cache.get(key)
        if found is None:
            found = count(audience, filters, *args, **kwargs)
            cache.set(key, found, settings.ARCHIVE_PAGE_CACHE_SECONDS)
        return found

    return kept
