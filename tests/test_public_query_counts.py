"""Each public page type costs a fixed number of queries, the same with 3 stories as with 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from public import links
from search.services import outbox_drain
from stories.models import Chapter, CollectionStory, Story, StoryKind
from stories.visibility import PUBLIC_AUDIENCE
from tests import public_site as site

pytestmark = pytest.mark.django_db


# The most queries each page may cost (anonymous, page cache off), once the change log is
# drained. A story page: Wagtail's routing and view restrictions (6, read once), the story with
# its tags and chapters (2, and 2 more where it has chapters), related stories kept by the
# drain (2), the transcript's lines where it has one (1), its collections (2).
MOST_QUERIES = {
    "home": 14,
    "archive index": 15,
    "collection": 10,
    "audio story": 16,
    "audio story, a word found": 16,
    "embed": 13,  # one to know whether the recording is held while words are taken out of it
    "citation": 11,
    "text story": 13,
    "value": 12,
    "theme": 10,
    "project": 12,
    "rss": 3,
    "atom": 3,
    "sitemap of stories": 3,
    "sitemap of terms": 5,
}


def add_stories(make_story, count: int, start: int = 0) -> list:
    """`count` public stories (a third with recordings), each tagged with a value and a theme."""
    stories = []
    for number in range(start, start + count):
        kind = StoryKind.AUDIO if number % 3 == 0 else StoryKind.TEXT
        story = make_story(title=f"Story {number}", kind=kind, consent={"attribution": "named"})
        if kind == StoryKind.AUDIO:
            site.attach_recording(story)
            cue = site.cues_of(site.RECORDING)[1]
            site.tag(
                story,
                value=site.value(),
                start_seconds=cue.start,
                end_seconds=cue.end,
            )
            # The segment index, each chapter with its values and themes (prefetched).
            for at in range(number % 4 + 1):
                chapter = Chapter.objects.create(story=story, start=at * 4.0, title=f"Part {at}")
                chapter.values.add(site.value())
                chapter.themes.add(site.theme())
        site.tag(story, value=site.value())
        site.tag(story, theme=site.theme())
        stories.append(story)
    return stories


def addresses(stories, page) -> dict[str, str]:
    audio = next(s for s in stories if s.kind == StoryKind.AUDIO)
    text = next(s for s in stories if s.kind == StoryKind.TEXT)
    return {
        "home": "/",
        "archive index": site.archive_index().url,
        "collection": page.url,
        "audio story": links.story_url(audio),
        "audio story, a word found": links.story_url(audio, at=5, query="chairs"),
        "embed": links.ArchiveLinks().story_part(audio, "embed"),
        "citation": links.ArchiveLinks().story_part(audio, "cite_json"),
        "text story": links.story_url(text),
        "value": links.value_url(site.value()),
        "theme": links.theme_url(site.theme()),
        "project": links.project_url(audio.project),
        "rss": "/feeds/stories.rss",
        "atom": "/feeds/stories.atom",
        "sitemap of stories": "/sitemap-stories.xml",
        "sitemap of terms": "/sitemap-terms.xml",
    }


def count_queries(client, pages: dict[str, str]) -> dict[str, int]:
    outbox_drain()  # as the worker does: related stories are kept, not worked out per view
    counts = {}
    for name, address in pages.items():
        assert client.get(address).status_code == 200, name  # renditions made, caches warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_the_story_page_costs_the_same_with_one_chapter_or_many(client, make_story):
    stories = add_stories(make_story, 6)
    one, many = (s for s in stories if s.kind == StoryKind.AUDIO)  # 1 and 4 chapters
    assert (one.chapters.count(), many.chapters.count()) == (1, 4)
    counts = count_queries(client, {"one": links.story_url(one), "many": links.story_url(many)})
    assert counts["one"] == counts["many"]
    html = client.get(links.story_url(many)).content.decode()
    assert html.count('class="chapter-link"') == 4


def test_page_queries_do_not_grow_with_the_number_of_stories(client, make_story):
    stories = add_stories(make_story, 3)
    page = site.collection(stories, picture=site.image())
    pages = addresses(stories, page)
    with_3 = count_queries(client, pages)

    more = add_stories(make_story, 27, start=3)
    for order, story in enumerate(more, start=3):
        CollectionStory.objects.create(page=page, story=story, sort_order=order)
    with_30 = count_queries(client, pages)

    assert Story.objects.visible_to(PUBLIC_AUDIENCE).count() == 30
    assert with_30 == with_3
    over = {name: n for name, n in with_3.items() if n > MOST_QUERIES[name]}
    assert not over, f"more queries than {MOST_QUERIES}: {over}"
