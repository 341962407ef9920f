"""Collections are edited in the Wagtail admin, which has no service of ours to write the outbox
row: these admin hooks do it, so a story's collections facet follows what curators publish.

Before a collection is published or deleted, the stories it holds are noted; afterwards every
story that was or is in it is queued for the search index. (`manage.py search_check` finds any
change made some other way.)
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail import hooks

from stories.changes import story_changed
from stories.models import CollectionPage, CollectionStory

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
