"""`load_demo` fills every public page type, with real synthesised speech, and is idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from public import links
from public.models import HomeFeaturedCollection
from stories.models import CollectionPage, Segment, Story, StoryKind
from stories.visibility import PUBLIC_AUDIENCE
from tests import public_site as site

pytestmark = pytest.mark.django_db


def test_demo_content_shows_every_page_type_with_recorded_speech(client):
    call_command("load_demo", admin_password="demo-pass-123")
    call_command("load_demo", admin_password="demo-pass-123")  # a second run changes nothing

    public = Story.objects.visible_to(PUBLIC_AUDIENCE)
    recorded = public.filter(kind__in=[StoryKind.AUDIO, StoryKind.VIDEO])
    assert recorded.count() == 3
    assert public.filter(kind=StoryKind.VIDEO).count() == 1
    assert Segment.objects.filter(transcript__story__in=recorded).count() == 14
    assert CollectionPage.objects.live().count() == 2
    assert HomeFeaturedCollection.objects.count() == 2

    story = recorded.get(slug="the-bus-to-the-hospital")
    assert story.media.size > 10_000
    with story.media.open("rb") as handle:
        assert handle.read(4) == b"OggS"
    addresses = [
        "/",
        site.archive_index().url,
        *(page.url for page in CollectionPage.objects.live()),
        *(links.story_url(s) for s in public),
        links.value_url(site.value("training")),
        links.theme_url(site.theme("Isolation")),
        links.project_url(story.project),
    ]
    for address in addresses:
        assert client.get(address).status_code == 200, address
    assert client.get(links.story_media_url(story)).status_code == 200
    withdrawn = Story.objects.get(status="withdrawn")
    assert client.get(links.story_url(withdrawn)).status_code == 410
    assert not withdrawn.tags.exists() and withdrawn.title == "Withdrawn story"
    captions = client.get(links.story_captions_url(story)).content.decode()
    assert "The council listened to those recordings at a public meeting." in captions


def test_demo_recordings_come_with_chapters_beside_the_player(client):
    call_command("load_demo", admin_password="demo-pass-123")
    story = Story.objects.get(slug="the-bus-to-the-hospital")
    assert list(story.chapters.values_list("title", flat=True)) == [
        "The route is cut",
        "Recording the estate",
        "The bus comes back",
    ]
    html = client.get(links.story_url(story)).content.decode()
    assert html.count('class="chapter-link"') == 3
