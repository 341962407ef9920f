"""Where a story's recording is stored: stories/<storyteller>/<story>/<random name>, once."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories.models import Story
from stories.models.story import story_media_path
from storyteller import uploads
from tests.storyteller_helpers import speech_wav

pytestmark = pytest.mark.django_db

ALL_USES = {
    "archive": True,
    "researchers": True,
    "public": True,
    "quotes_allowed": True,
    "attribution": "named",
}


def submit(storyteller, wav_bytes: bytes, filename: str = "Sarah at home.wav") -> Story:
    session = uploads.upload_session_from_file(
        owner=storyteller, uploaded=SimpleUploadedFile(filename, wav_bytes)
    )
    return uploads.story_submit(
        uploaded_by=storyteller,
        storyteller=storyteller,
        title="Coffee mornings",
        kind="recording",
        consent=ALL_USES,
        upload=session,
    )


def test_an_upload_is_stored_once_under_its_storyteller_and_story(storyteller, tmp_path):
    story = submit(storyteller, speech_wav(tmp_path).read_bytes())
    story.refresh_from_db()
    name = story.media.name
    assert re.fullmatch(rf"stories/{storyteller.pk}/{story.pk}/[0-9a-f]{{32}}\.wav", name), name
    assert name.count("stories/") == 1
    assert story.media.storage.exists(name)


def test_two_stories_of_one_storyteller_get_folders_of_their_own(storyteller, tmp_path):
    wav = speech_wav(tmp_path).read_bytes()
    first, second = submit(storyteller, wav), submit(storyteller, wav)
    folders = {s.media.name.rsplit("/", 1)[0] for s in (first, second)}
    assert folders == {
        f"stories/{storyteller.pk}/{first.pk}",
        f"stories/{storyteller.pk}/{second.pk}",
    }


def test_the_path_keeps_only_the_file_name_it_is_given(storyteller, make_story):
    story = make_story()
    assert story_media_path(story, "stories/9/other/../abc.mp3") == (
        f"stories/{storyteller.pk}/{story.pk}/abc.mp3"
    )


def test_a_file_stored_under_the_old_doubled_path_still_streams(client, storyteller, make_story):
    story = make_story(kind="audio")
    old = f"stories/{storyteller.pk}/stories/{storyteller.pk}/0123abcd.wav"
    storage = Story._meta.get_field("media").storage
    stored = storage.save(old, ContentFile(b"RIFF old recording bytes"))
    Story.objects.filter(pk=story.pk).update(media=stored)
    client.force_login(storyteller)
    response = client.get(reverse("stories:media", args=[story.pk, "media"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF old recording bytes"
    storage.delete(stored)
