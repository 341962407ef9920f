"""Collections are edited in the Wagtail admin, which has no service of ours to write the outbox
row: these admin hooks do it, so a story's collections facet follows what curators publish.

Before a collection is published or deleted, the stories it holds are noted; afterwards every
story that was or is in it is queued for the search index. (`manage.py search_check` finds any
change made some other way.)
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from wagtail import hooks

from stories.audience import PUBLIC_AUDIENCE, audience_for
from stories.changes import story_changed
from stories.models import CollectionPage, CollectionStory, Story
from stories.models.story import why_not_public

_BEFORE = "_search_collection_story_ids"


def _is_collection(page) -> bool:

    return issubclass(page.specific_class or type(page), CollectionPage)


def _collection_story_ids(page) -> set[int]:

    if not _is_collection(page) or page.pk is None:
        return set()
    return set(CollectionStory.objects.filter(page_id=page.pk).values_list("story_id", flat=True))


@hooks.register("before_publish_page")
@hooks.register("before_delete_page")
def remember_collection_stories(request: HttpRequest, page):
    setattr(request, _BEFORE, _collection_story_ids(page))


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
def queue_collection_stories(request: HttpRequest, page):
    if not _is_collection(page):
        return
    before: set[int] = getattr(request, _BEFORE, set())
    now = _collection_story_ids(page)
    if before | now:
        story_changed(story_ids=before | now)


def hidden_story_reasons(request: HttpRequest, page) -> Counter[str]:
    """Why the public cannot see some of a collection's stories: a count per reason. Stories the
    curator may not see either are counted without a reason."""
    held = set(CollectionStory.objects.filter(page_id=page.pk).values_list("story_id", flat=True))
    shown = set(
        Story.objects.visible_to(PUBLIC_AUDIENCE).filter(pk__in=held).values_list("pk", flat=True)
    )
    hidden = held - shown
    reasons: Counter[str] = Counter()
    if not hidden:
        return reasons
    now = timezone.now()
    seen = Story.objects.visible_to(audience_for(request.user)).filter(pk__in=hidden)
    for story in seen.select_related("consent"):
        reason = why_not_public(story, now) or "not public"
        reasons[reason.split(" until ")[0]] += 1
    unnamed = len(hidden) - sum(reasons.values())
    if unnamed:
        reasons["no longer available"] += unnamed
    return reasons


@hooks.register("after_publish_page")
def warn_of_hidden_stories(request: HttpRequest, page):
    """Publishing a collection that holds stories the public cannot see is allowed (they may
    become visible later), but the curator is told how many are left out and why."""
    if not _is_collection(page):
        return
    reasons = hidden_story_reasons(request, page)
    if not reasons:
        return
    total = sum(reasons.values())
    why = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
    messages.warning(
        request,
        f"{total} {'story' if total == 1 else 'stories'} in “{page.title}” "
        f"{'is' if total == 1 else 'are'} left out of the live page because the public cannot "
        f"see {'it' if total == 1 else 'them'} ({why}).",
    )
