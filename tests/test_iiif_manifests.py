"""IIIF Presentation 3 manifests of public recordings and collections, checked against the
published IIIF Presentation 3 JSON schema (tests/schemas/iiif_3_0.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from public import links
from public.iiif import manifest_url
from stories import services
from stories.addresses import site_url
from stories.models import Chapter, StoryKind
from stories.photos import photo_clean, story_photo_attach
from tests import public_site as site

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parent / "schemas" / "iiif_3_0.json"


@cache
def iiif_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def valid_iiif(document: dict) -> dict:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in iiif_validator().iter_errors(document)
    ]
    assert not errors, errors
    return document


def test_the_schema_check_refuses_a_manifest_without_its_canvases():
    broken = {"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Manifest"}
    assert list(iiif_validator().iter_errors(broken))


@pytest.fixture
def audio(make_story):
    story = make_story(
        title="Tuesday coffee mornings",
        kind=StoryKind.AUDIO,
        text="",
        consent={"quotes_allowed": False},
    )
    site.attach_recording(story)
    site.tag(story, theme=site.theme(), value=site.value())
    Chapter.objects.create(
        story=story, start=0, title="Arriving", synopsis="The first Tuesday.", keywords="door, tea"
    )
    Chapter.objects.create(story=story, start=4.5, title="Staying on")
    return story


def manifest_of(client, story):
    response = client.get(reverse("iiif-manifest", args=[story.pk]))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/ld+json")
    return valid_iiif(response.json())


def test_an_audio_story_has_a_valid_manifest_with_its_recording(client, audio):
    manifest = manifest_of(client, audio)
    assert manifest["type"] == "Manifest"
    assert manifest["label"] == {"en": ["Tuesday coffee mornings"]}
    canvas = manifest["items"][0]
    assert canvas["duration"] == pytest.approx(audio.media_duration)
    body = canvas["items"][0]["items"][0]["body"]
    assert body["type"] == "Sound"
    assert body["format"] == "audio/ogg"
    assert body["id"] == site_url(links.story_media_url(audio))
    # The recording itself answers the public at that address.
    assert client.get(links.story_media_url(audio)).status_code == 200


def test_captions_are_a_supplementing_annotation_even_where_quotes_are_refused(client, audio):
    canvas = manifest_of(client, audio)["items"][0]
    annotation = canvas["annotations"][0]["items"][0]
    assert annotation["motivation"] == "supplementing"
    assert annotation["body"]["format"] == "text/vtt"
    assert annotation["body"]["id"].endswith(links.story_captions_url(audio))
    assert client.get(links.story_captions_url(audio)).status_code == 200
    # The words to take away stay refused: the storyteller did not agree to quotes.
    assert client.get(reverse("transcribe:download", args=[audio.pk, "srt"])).status_code == 403


def test_chapters_are_ranges_over_the_recording(client, audio):
    chapters = manifest_of(client, audio)["structures"][0]["items"]
    assert [c["label"]["en"][0] for c in chapters] == ["Arriving", "Staying on"]
    assert chapters[0]["summary"] == {"en": ["The first Tuesday."]}
    spans = [c["items"][0]["selector"]["value"] for c in chapters]
    assert spans[0] == "t=0,4.5"
    assert spans[1].startswith("t=4.5,")


def test_metadata_and_rights_come_from_the_consent(client, audio):
    manifest = manifest_of(client, audio)
    metadata = {e["label"]["en"][0]: e["value"]["en"][0] for e in manifest["metadata"]}
    assert metadata["Told by"] == "Anonymous storyteller"
    assert site.theme().name in metadata["Themes"]
    assert manifest["rights"].startswith("http://rightsstatements.org/")
    assert "Anonymous storyteller" in manifest["requiredStatement"]["value"]["en"][0]
    assert manifest["homepage"][0]["id"].endswith(links.story_url(audio))


def test_a_photo_becomes_the_thumbnail(client, audio):
    with (site.DEMO / "after-lockdown.jpg").open("rb") as handle:
        photo = photo_clean(File(handle, name="garden.jpg"), alt_text="Tea cups on a table.")
    story_photo_attach(story=audio, photo=photo)
    thumbnail = manifest_of(client, audio)["thumbnail"][0]
    assert thumbnail["type"] == "Image"
    assert thumbnail["id"].endswith(links.story_photo_url(audio))


def test_a_video_story_is_a_video_on_a_sized_canvas(client, make_story):
    video = make_story(title="Cooking with my grandmother", kind=StoryKind.VIDEO, text="")
    site.attach_recording(video, site.VIDEO)
    canvas = manifest_of(client, video)["items"][0]
    assert canvas["items"][0]["items"][0]["body"]["type"] == "Video"
    assert canvas["width"] and canvas["height"]


def test_only_public_recordings_have_manifests(client, make_story, storyteller, audio):
    hidden = make_story(title="Researchers only", kind=StoryKind.AUDIO, consent={"public": False})
    site.attach_recording(hidden)
    written = make_story(title="Written only")
    gone = make_story(title="Taken back", kind=StoryKind.AUDIO)
    services.consent_withdraw(story=gone, actor=storyteller)
    for story, status in ((hidden, 404), (written, 404), (gone, 410)):
        response = client.get(reverse("iiif-manifest", args=[story.pk]))
        assert response.status_code == status, story.title
        assert b"Researchers only" not in response.content


def test_a_collection_lists_the_manifests_of_its_public_recordings(client, make_story, audio):
    hidden = make_story(title="Researchers only", kind=StoryKind.AUDIO, consent={"public": False})
    site.attach_recording(hidden)
    written = make_story(title="Written only")
    page = site.collection([audio, hidden, written], picture=site.image())
    response = client.get(reverse("iiif-collection", args=[page.pk]))
    assert response["Access-Control-Allow-Origin"] == "*"
    collection = valid_iiif(response.json())
    assert collection["type"] == "Collection"
    assert [item["id"] for item in collection["items"]] == [manifest_url(audio)]
    assert b"Researchers only" not in response.content


def test_an_unpublished_collection_has_no_manifest(client, audio):
    page = site.collection([audio])
    page.unpublish()
    assert client.get(reverse("iiif-collection", args=[page.pk])).status_code == 404


def test_the_story_page_links_its_manifest_beside_the_player(client, audio):
    html = client.get(links.story_url(audio)).content.decode()
    player = html[html.index('id="player"') : html.index("</section>", html.index('id="player"'))]
    assert f'href="{reverse("iiif-manifest", args=[audio.pk])}"' in player
    assert f'href="{reverse("archive_feeds:podcast")}"' in player


def test_a_manifest_costs_the_same_queries_with_more_chapters(client, audio):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("iiif-manifest", args=[audio.pk]))
        return len(queries)

    before = count()
    for second in range(10, 60, 10):
        Chapter.objects.create(story=audio, start=second, title=f"Part at {second}")
    assert count() == before
