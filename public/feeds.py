"""RSS and Atom feeds of newly published stories: only what the public may see.

An entry quotes a story's words (the start of a written story without a summary) only where
`story_parts` allows quotes: a feed carries the words away from the story's page.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed

from public import links, reads
from stories.addresses import site_absolute, site_url
from stories.models import Story, StoryQuerySet
from stories.pages import cache_public_response
from stories.visibility import PUBLIC_AUDIENCE, story_parts

FEED_LENGTH = 30


class LatestStoriesFeed(Feed):
    title = "Community Story Archive: new stories"
    description = "Stories of lived experience, newly published with their storytellers' consent."

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.request = request
        return cache_public_response(request, super().__call__(request, *args, **kwargs))

    # Every address in a feed is on the archive's own address (ARCHIVE_BASE_URL), so readers
    # keep the same guids whichever host name a request came in by.
    def link(self) -> str:
        return site_absolute(links.archive_index(self.request).get_url(self.request))

    def feed_url(self) -> str:
        return site_url(self.request.path)

    def items(self) -> StoryQuerySet:
        stories = reads.public_stories().select_related(*reads.CARD_RELATED)
        return stories[:FEED_LENGTH]

    def item_title(self, item: Story) -> str:
        return item.title

    def item_description(self, item: Story) -> str:
        if item.summary:
            return item.summary
        parts = story_parts(PUBLIC_AUDIENCE, item)
        if parts.quotes and item.text_body:
            return item.text_body[:400]
        kind = item.get_kind_display().lower()
        article = "An" if kind[:1] in ("a", "e", "i", "o", "u") else "A"
        return f"{article} {kind} story told by {parts.attribution}."

    def item_link(self, item: Story) -> str:
        return links.story_url(item, self.request, full=True)

    def item_guid(self, item: Story) -> str:
        return links.story_url(item, self.request, full=True)

    def item_author_name(self, item: Story) -> str:
        return story_parts(PUBLIC_AUDIENCE, item).attribution

    def item_pubdate(self, item: Story):
        return item.published_at

    def item_updateddate(self, item: Story):
        return item.updated_at


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
