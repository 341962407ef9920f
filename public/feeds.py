"""RSS and Atom feeds of newly published stories: only what the public may see."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from public import links, reads
from stories.pages import cache_public_response
from stories.visibility import PUBLIC_AUDIENCE, story_parts

FEED_LENGTH = 30


class LatestStoriesFeed(Feed):
    title = "Community Story Archive: new stories"
    description = "Stories of lived experience, newly published with their storytellers' consent."

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return cache_public_response(request, super().__call__(request, *args, **kwargs))

    def link(self) -> str:
        return links.archive_index(self.request).get_url(self.request)

    def items(self):
        stories = reads.public_stories().select_related(*reads.CARD_RELATED)
        return stories[:FEED_LENGTH]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.summary or item.text_body[:400]

    def item_link(self, item) -> str:
        return links.story_url(item, self.request)

    def item_guid(self, item) -> str:
        return links.story_url(item, self.request, full=True)

    def item_author_name(self, item) -> str:
        return story_parts(PUBLIC_AUDIENCE, item).attribution

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
