"""Public pages come from the server's cache, and no change to a story outlives a cached copy.

The cache here is the production one (files, shared by server processes). Changes are made
through the services and their transactions are committed (`django_capture_on_commit_callbacks`
runs what a real commit runs), then every page that showed the story is fetched again.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.middleware import CACHE_HEADER
from public import links
from stories import publication, services, transcripts
from stories.models import CollectionStory, ConsentMethod, Segment, StoryKind
from tests import public_site as site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

TITLE = "Marigolds on the allotment"
SLUG = "marigolds-on-the-allotment"  # what the sitemap shows of it


def shows_the_story(response) -> bool:
    page = response.content.decode()
    return TITLE in page or SLUG in page


@pytest.fixture
def shown(make_story, django_capture_on_commit_callbacks):
    """A public story with a transcript and tags, and every address that shows it."""
    with django_capture_on_commit_callbacks(execute=True):
        story = make_story(title=TITLE, kind=StoryKind.AUDIO, text="")
        site.attach_recording(story)
        site.tag(story, value=site.value(), theme=site.theme())
        neighbour = make_story(title="Seed swap at the library")
        site.tag(neighbour, value=site.value(), theme=site.theme())
        page = site.collection([story])
    return story, {
        "home": "/",
        "archive index": site.archive_index().url,
        "collection": page.url,
        "story": links.story_url(story),
        "a related story": links.story_url(neighbour),
        "value": links.value_url(site.value()),
        "theme": links.theme_url(site.theme()),
        "project": links.project_url(story.project),
        "rss": "/feeds/stories.rss",
        "atom": "/feeds/stories.atom",
        "sitemap of stories": "/sitemap-stories.xml",
    }


def prime(client, addresses: dict[str, str], text: str | None = None) -> None:
    """Fetch every page twice: the second answer comes from the cache and shows the story."""
    for name, address in addresses.items():
        first = client.get(address)
        assert first.status_code == 200, name
        assert first[CACHE_HEADER] == "miss", name
        again = client.get(address)
        assert again[CACHE_HEADER] == "hit", name
        assert (text in again.content.decode()) if text else shows_the_story(again), name


def test_a_second_visit_is_answered_from_the_cache_without_a_query(client, shown):
    _, addresses = shown
    assert client.get(addresses["story"])[CACHE_HEADER] == "miss"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(addresses["story"])

    assert response.status_code == 200
    assert response[CACHE_HEADER] == "hit"
    assert len(queries) == 0
    assert TITLE in response.content.decode()
    assert "Cookie" in response["Vary"]
    assert "Content-Security-Policy" in response


def withdraw(story, curator, storyteller) -> None:
    services.consent_withdraw(story=story, actor=storyteller)


def unpublish(story, curator, storyteller) -> None:
    publication.story_unpublish(story=story, actor=curator)


def take_back_public_consent(story, curator, storyteller) -> None:
    services.consent_record(
        story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True, public=False
    )


@pytest.mark.parametrize(
    "change", [withdraw, unpublish, take_back_public_consent], ids=lambda change: change.__name__
)
def test_no_cached_page_shows_a_story_after_it_leaves_the_public(
    client, shown, curator, storyteller, change, django_capture_on_commit_callbacks
):
    story, addresses = shown
    prime(client, addresses)

    with django_capture_on_commit_callbacks(execute=True):
        change(story, curator, storyteller)

    for name, address in addresses.items():
        response = client.get(address)
        assert response.get(CACHE_HEADER) != "hit", name
        assert not shows_the_story(response), name


def test_a_corrected_line_replaces_the_cached_one(
    client, shown, storyteller, django_capture_on_commit_callbacks
):
    story, addresses = shown
    segment = Segment.objects.filter(transcript__story=story).order_by("index").first()
    prime(client, {"story": addresses["story"]}, segment.text)

    with django_capture_on_commit_callbacks(execute=True):
        transcripts.transcript_segment_edit(
            segment=segment, text="Redacted by the storyteller.", actor=storyteller
        )

    page = client.get(addresses["story"]).content.decode()
    assert segment.text not in page
    assert "Redacted by the storyteller." in page


def test_an_unpublished_collection_leaves_every_cached_page(
    client, shown, django_capture_on_commit_callbacks
):
    story, addresses = shown
    page = CollectionStory.objects.get(story=story).page
    prime(client, {"home": "/", "collection": addresses["collection"]}, page.title)

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert page.title not in client.get("/").content.decode()
    assert client.get(addresses["collection"]).status_code == 404


def test_a_consent_that_ends_by_itself_ends_the_cached_pages_too(
    client, make_story, storyteller, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story = make_story(title=TITLE)
        services.consent_record(
            story=story,
            actor=storyteller,
            method=ConsentMethod.WRITTEN,
            archive=True,
            public=True,
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
    addresses = {"story": links.story_url(story), "home": "/", "rss": "/feeds/stories.rss"}
    prime(client, addresses)

    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # nothing is written when consent ends

    for name, address in addresses.items():
        assert not shows_the_story(client.get(address)), name


def test_a_signed_in_visit_is_neither_kept_nor_answered_from_the_cache(client, shown, researcher):
    _, addresses = shown
    prime(client, {"story": addresses["story"]})
    client.force_login(researcher)

    for _ in range(2):
        response = client.get(addresses["story"])
        assert response.status_code == 200
        assert CACHE_HEADER not in response
        assert "private" in response["Cache-Control"]


def test_pages_with_a_form_token_or_a_message_are_never_kept(client, shown):
    _, addresses = shown
    for _ in range(2):
        assert CACHE_HEADER not in client.get("/accounts/login/")
    client.cookies["messages"] = "anything"
    for _ in range(2):
        assert CACHE_HEADER not in client.get(addresses["story"])


def test_a_collection_behind_a_password_is_never_kept(client, make_story):
    from wagtail.models import PageViewRestriction

    page = site.collection([make_story(title=TITLE)], title="Members only")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="garden"
    )
    for _ in range(2):
        response = client.get(page.url)
        assert TITLE not in response.content.decode()
        assert CACHE_HEADER not in response
