"""A transcript download never carries the name of the file a curator imported it from.

Curators often name interview files after the person who spoke; for an anonymous story that
name must stay with the storyteller and the curators.
"""

from __future__ import annotations

import json

import pytest

from stories import services as story_services
from stories.models import ConsentMethod, StoryKind, StoryStatus
from transcribe import services

pytestmark = pytest.mark.django_db

VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nWe met on Tuesdays.\n"
FILE_NAME = "interview-bartholomew-quill.vtt"


@pytest.fixture
def imported(storyteller, curator):
    story = story_services.story_create(
        storyteller=storyteller, title="Tuesdays", kind=StoryKind.AUDIO
    )
    story_services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        public=True,
        quotes_allowed=True,  # transcript files to take away are quotes
        attribution="anonymous",
    )
    services.transcript_import(story=story, data=VTT, filename=FILE_NAME, actor=curator)
    for target in (StoryStatus.APPROVED, StoryStatus.PUBLISHED):
        story_services.story_transition(story=story, target=target, actor=storyteller)
    return story


def test_the_public_and_researchers_get_the_words_without_the_imported_file_name(
    client, imported, researcher
):
    for person in (None, researcher):
        if person is not None:
            client.force_login(person)
        for fmt in ("json", "vtt", "srt", "txt"):
            response = client.get(f"/transcripts/{imported.pk}.{fmt}")
            assert response.status_code == 200, (person, fmt)
            body = response.content.decode()
            assert "We met on Tuesdays." in body
            assert "bartholomew" not in body.lower(), (person, fmt)
            assert "bartholomew" not in response["Content-Disposition"].lower()


def test_the_storyteller_and_curators_still_read_where_the_transcript_came_from(
    client, imported, storyteller, curator
):
    for person in (storyteller, curator):
        client.force_login(person)
        data = json.loads(client.get(f"/transcripts/{imported.pk}.json").content)
        assert FILE_NAME in data["note"]
