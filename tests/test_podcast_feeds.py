"""Podcasts of public recordings: one for the archive, one per collection, with enclosures."""

from __future__ import annotations

import pytest
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from public import links
from stories.addresses import site_url
from stories.models import StoryKind
from stories.photos import photo_clean, story_photo_attach
from tests import public_site as site

pytestmark = pytest.mark.django_db

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS = {"itunes": ITUNES}


@pytest.fixture
def recordings(make_story):
    audio = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    site.attach_recording(audio)
    video = make_story(title="Cooking with my grandmother", kind=StoryKind.VIDEO, text="")
    site.attach_recording(video, site.VIDEO)
    hidden = make_story(title="Researchers only", kind=StoryKind.AUDIO, consent={"public": False})
    site.attach_recording(hidden)
    written = make_story(title="Written only")
    return {"audio": audio, "video": video, "hidden": hidden, "written": written}


def feed(client, address: str):
    response = client.get(address)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def items_by_title(document) -> dict:
    return {item.findtext("title"): item for item in document.iter("item")}


def test_the_archive_podcast_carries_every_public_recording(client, recordings):
    document = feed(client, reverse("archive_feeds:podcast"))
    assert document.nsmap.get("itunes") == ITUNES
    assert document.xpath("/rss/channel/itunes:explicit/text()", namespaces=NS) == ["false"]
    items = items_by_title(document)
    assert set(items) == {"Tuesday coffee mornings", "Cooking with my grandmother"}
    audio = recordings["audio"]
    enclosure = items["Tuesday coffee mornings"].find("enclosure")
    assert enclosure.get("url") == site_url(links.story_media_url(audio))
    assert enclosure.get("type") == "audio/ogg"
    assert int(enclosure.get("length")) == audio.media.size
    duration = items["Tuesday coffee mornings"].findtext("itunes:duration", namespaces=NS)
    assert int(duration) == round(audio.media_duration)
    assert items["Cooking with my grandmother"].find("enclosure").get("type") == "video/webm"
    # The enclosure is the file the public is served.
    assert client.get(links.story_media_url(audio)).status_code == 200


def test_a_collection_has_its_own_podcast(client, recordings):
    page = site.collection([recordings["video"], recordings["hidden"], recordings["written"]])
    document = feed(client, reverse("archive_feeds:collection-podcast", args=[page.pk]))
    assert set(items_by_title(document)) == {"Cooking with my grandmother"}
    assert document.findtext("channel/title").startswith(page.title)
    assert b"Researchers only" not in etree.tostring(document)


def test_a_collection_image_and_a_story_photo_become_podcast_images(client, recordings):
    with (site.DEMO / "after-lockdown.jpg").open("rb") as handle:
        photo = photo_clean(File(handle, name="cups.jpg"), alt_text="Tea cups on a table.")
    story_photo_attach(story=recordings["audio"], photo=photo)
    page = site.collection([recordings["audio"]], picture=site.image())
    document = feed(client, reverse("archive_feeds:collection-podcast", args=[page.pk]))
    channel_image = document.xpath("/rss/channel/itunes:image/@href", namespaces=NS)
    assert len(channel_image) == 1 and channel_image[0].startswith("http")
    item = items_by_title(document)["Tuesday coffee mornings"]
    assert item.xpath("itunes:image/@href", namespaces=NS) == [
        site_url(links.story_photo_url(recordings["audio"]))
    ]


def test_an_unpublished_collection_has_no_podcast(client, recordings):
    page = site.collection([recordings["audio"]])
    page.unpublish()
    address = reverse("archive_feeds:collection-podcast", args=[page.pk])
    assert client.get(address).status_code == 404


def test_a_collection_page_links_its_podcast(client, recordings):
    page = site.collection([recordings["audio"]])
    html = client.get(page.url).content.decode()
    assert f'href="{reverse("archive_feeds:collection-podcast", args=[page.pk])}"' in html
    assert f'href="{reverse("iiif-collection", args=[page.pk])}"' in html


def test_the_podcast_costs_the_same_queries_for_more_recordings(client, recordings, make_story):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("archive_feeds:podcast"))
        return len(queries)

    before = count()
    for number in range(3):
        site.attach_recording(make_story(title=f"More {number}", kind=StoryKind.AUDIO, text=""))
    assert count() == before
