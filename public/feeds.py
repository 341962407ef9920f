"""RSS and Atom feeds of newly published stories, and podcasts: only what the public may see.

The podcasts (one for the archive, one per collection) carry each public recording as an
enclosure, the same file the story page plays through `stories:media`, with its duration.

An entry quotes a story's words (the start of a written story without a summary) only where
`story_parts` allows quotes: a feed carries the words away from the story's page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import strip_tags

from public import links, reads
from stories.addresses import site_absolute, site_url
from stories.models import CollectionPage, Story, StoryQuerySet
from stories.pages import cache_public_response
from stories.views import media_type
from stories.visibility import PUBLIC_AUDIENCE, story_parts

FEED_LENGTH = 30


class StoryFeed(Feed):
    """What every feed of stories shares: addresses on the archive's own, the entries' words."""

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.request = request
        return cache_public_response(request, super().__call__(request, *args, **kwargs))

    # Every address in a feed is on the archive's own address (ARCHIVE_BASE_URL), so readers
    # keep the same guids whichever host name a request came in by.
    def link(self) -> str:
        return site_absolute(links.archive_index(self.request).get_url(self.request))

    def feed_url(self) -> str:
        return site_url(self.request.path)

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


class LatestStoriesFeed(StoryFeed):
    title = "Community Story Archive: new stories"
    description = "Stories of lived experience, newly published with their storytellers' consent."

    def items(self) -> StoryQuerySet:
        stories = reads.public_stories().select_related(*reads.CARD_RELATED)
        return stories[:FEED_LENGTH]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description


# --- Podcasts: the public recordings, as enclosures a podcast app can subscribe to ----------

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


class PodcastRss(Rss201rev2Feed):
    """RSS 2.0 with the iTunes podcast elements podcast apps read."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES_NS}

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", settings.WAGTAIL_SITE_NAME)
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:category", attrs={"text": "Society & Culture"})
        if self.feed.get("itunes_image"):
            handler.addQuickElement("itunes:image", attrs={"href": self.feed["itunes_image"]})

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("itunes_duration") is not None:
            handler.addQuickElement("itunes:duration", str(item["itunes_duration"]))
        if item.get("itunes_image"):
            handler.addQuickElement("itunes:image", attrs={"href": item["itunes_image"]})
        handler.addQuickElement("itunes:explicit", "false")


class PodcastFeed(StoryFeed):
    """Public recordings, newest first, one enclosure each (the file `stories:media` serves):
    the whole archive's, or one curated collection's (`page_id`)."""

    feed_type = PodcastRss

    def get_object(self, request: HttpRequest, page_id: int | None = None) -> CollectionPage | None:
        if page_id is None:
            return None
        page = reads.live_collections().filter(pk=page_id).first()
        if page is None:
            raise Http404("No public collection has this address.")
        return page

    def title(self, obj: CollectionPage | None = None) -> str:
        if obj is None:
            return "Community Story Archive: recorded stories"
        return f"{obj.title}: recorded stories from the Community Story Archive"

    def description(self, obj: CollectionPage | None = None) -> str:
        said = "Recorded stories of lived experience, shared with their storytellers' consent."
        introduction = strip_tags(obj.introduction).strip() if obj is not None else ""
        return introduction or said

    def link(self, obj: CollectionPage | None = None) -> str:
        return site_absolute(obj.url) if obj is not None else super().link()

    def items(self, obj: CollectionPage | None = None) -> StoryQuerySet:
        return reads.podcast_stories(collection=obj)[:FEED_LENGTH]

    def feed_extra_kwargs(self, obj: CollectionPage | None) -> dict[str, Any]:
        if obj is None or obj.image is None:
            return {}
        rendition = obj.image.get_rendition("fill-1400x1400")
        return {"itunes_image": site_absolute(rendition.url)}

    def item_enclosures(self, item: Story) -> list[Enclosure]:
        try:
            length = item.media.size
        except OSError:  # a file missing from storage is still named, with no length
            length = 0
        return [
            Enclosure(
                site_url(links.story_media_url(item)),
                str(length),
                media_type(item.media.name, item.kind),
            )
        ]

    def item_extra_kwargs(self, item: Story) -> dict[str, Any]:
        photo = getattr(item, "photo", None)
        return {
            "itunes_duration": round(item.media_duration) if item.media_duration else None,
            "itunes_image": site_url(links.story_photo_url(item)) if photo else None,
        }
