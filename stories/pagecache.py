"""The server-side cache of public pages, and the one switch that makes all of it stale.

Public pages are the same for every visitor who is not signed in, so the archive keeps a copy
of each (`archive.middleware.PublicPageCacheMiddleware`, in the ``pages`` cache that every
server process shares). A copy is filed under the current *generation*: a random token kept in
the same cache. Any change a public page could show (the change log's `story_changed`, a saved
or deleted collection, value, theme, project, tag, transcript line, image or page, a page
published, unpublished or moved) calls `purge()` when its transaction commits, which forgets
the token; the next request draws a new one, so every page cached before the change is never
served again, whichever stories it showed.

Why one generation for the whole site rather than per-story tags: a story shows on its own
page, on collection, value, theme and project pages, the home page, the feeds and sitemaps and
as a related story on other story pages, and counts of it show on the index. Recording each of
those dependencies is easy to get wrong, and a missed one would show a withdrawn story. A
public archive is read far more than it is written, so dropping every page on a change costs
little and cannot miss one.

Consent also ends by itself (a consent's `expires_at`), with no change to log: a generation
is only good until the earliest consent end that was still ahead when it was drawn.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

GENERATION_KEY = "public-pages:generation"
CACHE_ALIAS = "pages"


def page_cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def enabled() -> bool:
    return settings.ARCHIVE_PAGE_CACHE_SECONDS > 0


def _forget_generation() -> None:
    page_cache().delete(GENERATION_KEY)


def purge() -> None:
    """Make every cached public page stale once the current transaction commits (or now).

    Whether or not this process serves pages: the worker and commands change stories too.
    """
    transaction.on_commit(_forget_generation)  # runs at once outside a transaction


def _next_consent_end() -> float | None:
    """When the earliest consent still live ends (a Unix time), or None if none will."""
    from stories.models import ConsentRecord

    end = (
        ConsentRecord.objects.filter(withdrawn=False, expires_at__gt=timezone.now())
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    return end.timestamp() if end is not None else None


def generation() -> str:
    """The current generation's token: cached pages are filed under it.

    Drawn afresh after a purge and once the earliest live consent has ended.
    """
    cache = page_cache()
    current: dict[str, Any] | None = cache.get(GENERATION_KEY)
    if current is not None and (
        current["until"] is None or timezone.now().timestamp() < current["until"]
    ):
        return str(current["token"])
    token = secrets.token_hex(16)
    until = _next_consent_end()
    cache.set(GENERATION_KEY, {"token": token, "until": until}, timeout=None)
    return token


def _purge_on_signal(**kwargs: Any) -> None:
    purge()


def purge_when_changed(senders: Iterable[type[models.Model] | str]) -> None:
    """Purge whenever a row of these models is saved or deleted (a net under the services).

    Connected model by model, never to every model: a receiver for all senders would stop
    Django from deleting rows of other models in bulk (the change log's drain among them).
    """
    for sender in senders:
        post_save.connect(_purge_on_signal, sender=sender, weak=False)
        post_delete.connect(_purge_on_signal, sender=sender, weak=False)


def connect() -> None:
    """The domain's own models and Wagtail's pages (called from `StoriesConfig.ready`)."""
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from stories import models as domain

    purge_when_changed(
        [
            domain.Story,
            domain.ConsentRecord,
            domain.StoryPhoto,
            domain.Chapter,
            domain.Transcript,
            domain.Segment,
            domain.Project,
            domain.ProjectMembership,
            domain.StorytellerProfile,
            domain.Value,
            domain.Theme,
            domain.ThemeSynonym,
            domain.CollectionPage,
            domain.CollectionStory,
            Page,
            PageViewRestriction,
            Site,
            get_image_model(),
        ]
    )
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_purge_on_signal, weak=False)
