"""A story's transcript downloads as WebVTT, SRT, text or JSON, only for those who may see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stories import services as story_services
from stories.models import ConsentMethod, StoryStatus
from tests.transcribe_helpers import story_with_media
from transcribe import services, synth
from transcribe.formats import parse_srt, parse_vtt

pytestmark = pytest.mark.django_db

VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nWe met on Tuesdays.\n"


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak("We met on Tuesdays.", tmp_path_factory.mktemp("dl") / "tuesdays.wav")


@pytest.fixture
def story(storyteller, recording):
    story = story_with_media(storyteller, recording)
    services.transcript_import(story=story, data=VTT, filename="t.vtt", actor=storyteller)
    return story


def publish(story, storyteller):
    story_services.consent_record(
        story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True,
        researchers=True, public=True, quotes_allowed=True,  # files to take away are quotes
    )  # fmt: skip
    for target in (StoryStatus.APPROVED, StoryStatus.PUBLISHED):
        story_services.story_transition(story=story, target=target, actor=storyteller)


def test_the_storyteller_downloads_every_format(client, storyteller, story):
    client.force_login(storyteller)
    vtt = client.get(f"/transcripts/{story.pk}.vtt")
    assert vtt.status_code == 200 and vtt["Content-Type"].startswith("text/vtt")
    assert "attachment" in vtt["Content-Disposition"]
    assert [c.text for c in parse_vtt(vtt.content)] == ["We met on Tuesdays."]
    assert parse_srt(client.get(f"/transcripts/{story.pk}.srt").content)[0].end == 2.0
    assert client.get(f"/transcripts/{story.pk}.txt").content == b"We met on Tuesdays.\n"
    data = json.loads(client.get(f"/transcripts/{story.pk}.json").content)
    assert data["engine"] == "import" and data["segments"][0]["text"] == "We met on Tuesdays."


def test_strangers_and_the_public_cannot_download_an_unpublished_transcript(
    client, stranger, story
):
    assert client.get(f"/transcripts/{story.pk}.vtt").status_code == 404
    client.force_login(stranger)
    assert client.get(f"/transcripts/{story.pk}.vtt").status_code == 404


def test_the_public_downloads_a_published_story_until_it_is_withdrawn(client, storyteller, story):
    publish(story, storyteller)
    assert client.get(f"/transcripts/{story.pk}.srt").status_code == 200
    story_services.consent_withdraw(story=story, actor=storyteller)
    assert client.get(f"/transcripts/{story.pk}.srt").status_code == 404


def test_unknown_formats_are_not_found(client, storyteller, story):
    client.force_login(storyteller)
    assert client.get(f"/transcripts/{story.pk}.docx").status_code == 404
