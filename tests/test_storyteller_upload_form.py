"""Telling a story with the plain form (no JavaScript): text, recordings, refusals, on behalf."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories.models import ConsentMethod, Story, StoryEvent, StoryStatus, UploadSession
from tests.storyteller_helpers import (
    PERSONAL_TAGS,
    container_tags,
    speech_wav,
    story_form,
    tagged_mp3,
)
from transcribe.media import probe
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db

NEW = reverse("storyteller:new")


@pytest.fixture
def speech_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("speech")


def test_the_form_needs_a_signed_in_storyteller(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_form_has_labels_hints_and_plain_language_consent(client, storyteller):
    client.force_login(storyteller)
    html = client.get(NEW).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_title">A title for your story</label>' in html
    assert 'aria-describedby="id_media_helptext"' in html
    assert "Keep my story in the archive" in html
    assert "Consent text version 2026-1" in html
    assert 'id="upload-progress"' in html and "<progress" in html
    assert 'aria-live="polite"' in html


def test_a_written_story_is_stored_with_its_consent_and_awaits_review(client, storyteller):
    client.force_login(storyteller)
    response = client.post(NEW, story_form())
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("storyteller:detail", args=[story.pk])
    assert story.status == StoryStatus.AWAITING_REVIEW
    assert story.storyteller == storyteller and not story.on_behalf
    consent = story.consent
    assert (consent.archive, consent.researchers, consent.public, consent.quotes_allowed) == (
        True,
        True,
        True,
        True,
    )
    assert consent.attribution == "named"
    assert consent.method == ConsentMethod.WRITTEN
    assert consent.consent_text_version == "2026-1"


def test_a_recording_is_checked_stripped_stored_privately_and_queued(
    client, storyteller, speech_dir, settings
):
    mp3 = tagged_mp3(speech_dir)
    assert container_tags(mp3)["artist"] == PERSONAL_TAGS["artist"]
    client.force_login(storyteller)
    upload = SimpleUploadedFile("Sarah at 12 Acacia Avenue.mp3", mp3.read_bytes(), "audio/mpeg")
    response = client.post(NEW, story_form(kind="recording", text_body="", media=upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    story = Story.objects.get()
    assert story.status == StoryStatus.UPLOADED
    assert story.kind == "audio"
    assert story.media_duration == pytest.approx(probe(mp3).duration, abs=0.3)
    # Stored under a random name in the private storage, not under MEDIA_ROOT.
    assert "Acacia" not in story.media.name and story.media.name.endswith(".mp3")
    path = story.media.path
    assert path.startswith(str(settings.ARCHIVE_PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    tags = container_tags(path)
    for key in PERSONAL_TAGS:
        assert key not in tags, f"{key} survived: {tags}"
    assert probe(path).has_audio
    job = TranscriptionJob.objects.get(story=story)
    assert job.state == JobState.QUEUED
    assert StoryEvent.objects.filter(story_id=story.pk, action="story.media_stored").exists()
    assert UploadSession.objects.get().status == "used"


def test_a_file_that_is_not_media_is_refused_with_why_and_what_to_do(client, storyteller):
    client.force_login(storyteller)
    fake = SimpleUploadedFile("my story.mp3", b"this is a text file pretending" * 100)
    response = client.post(NEW, story_form(kind="recording", text_body="", media=fake))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_media"' in html
    assert "my story.mp3 is not an audio or video file we can read" in html
    assert "Upload a recording saved as MP3" in html
    assert 'aria-invalid="true"' in html
    assert Story.objects.count() == 0
    assert html.count("<title>Error: ") == 1


def test_an_empty_file_is_refused(client, storyteller):
    client.force_login(storyteller)
    empty = SimpleUploadedFile("empty.wav", b"")
    response = client.post(NEW, story_form(kind="recording", text_body="", media=empty))
    html = response.content.decode()
    assert response.status_code == 200
    # Django's own check speaks first for an empty upload; either way it says what to do.
    assert "empty" in html.lower()
    assert Story.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_the_limit(client, storyteller, settings, speech_dir):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 1000
    client.force_login(storyteller)
    wav = speech_wav(speech_dir)
    upload = SimpleUploadedFile("long.wav", wav.read_bytes())
    html = client.post(NEW, story_form(kind="recording", text_body="", media=upload)).content
    assert "more than the 1000 bytes a story can be" in html.decode()
    assert Story.objects.count() == 0


def test_a_recording_story_without_a_file_says_what_to_do(client, storyteller):
    client.force_login(storyteller)
    html = client.post(NEW, story_form(kind="recording", text_body="")).content.decode()
    assert "Choose the recording to upload, or choose" in html


def test_consent_for_researchers_needs_the_archive_and_says_so(client, storyteller):
    client.force_login(storyteller)
    data = story_form()
    data.pop("consent-archive")
    html = client.post(NEW, data).content.decode()
    assert 'href="#id_consent-archive"' in html
    assert "tick &#x27;Keep my story in the archive&#x27; too" in html
    assert Story.objects.count() == 0


def test_a_checked_file_need_not_be_sent_again_when_another_field_is_wrong(
    client, storyteller, speech_dir
):
    client.force_login(storyteller)
    wav = speech_wav(speech_dir)
    upload = SimpleUploadedFile("speech.wav", wav.read_bytes())
    html = client.post(
        NEW, story_form(kind="recording", text_body="", title="", media=upload)
    ).content.decode()
    session = UploadSession.objects.get()
    assert session.status == "ready"
    assert f'name="upload" id="id_upload" value="{session.pk}"' in html
    assert "is uploaded and checked" in html
    response = client.post(NEW, story_form(kind="recording", text_body="", upload=session.pk))
    assert response.status_code == 302
    assert Story.objects.get().media


def test_a_contributor_uploads_on_behalf_and_it_is_recorded(
    client, contributor, storyteller, project
):
    from stories.models import ProjectMembership

    ProjectMembership.objects.create(project=project, user=storyteller, role="storyteller")
    client.force_login(contributor)
    html = client.get(NEW).content.decode()
    assert "Whose story is this?" in html and "Stella (stella)" in html
    response = client.post(NEW, story_form(storyteller=storyteller.pk, project=project.pk))
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.storyteller == storyteller
    assert story.uploaded_by == contributor and story.on_behalf
    assert story.consent.method == ConsentMethod.ON_BEHALF
    assert story.consent.recorded_by == contributor
    event = StoryEvent.objects.get(story_id=story.pk, action="story.created")
    assert event.actor == contributor and event.data["on_behalf"] is True


def test_a_contributor_cannot_upload_for_a_storyteller_they_do_not_work_with(
    client, contributor, storyteller, project, django_user_model
):
    from stories.models import ProjectMembership
    from tests.conftest import make_user

    ally = make_user(django_user_model, "ally", "storyteller")
    ProjectMembership.objects.create(project=project, user=ally, role="storyteller")
    client.force_login(contributor)
    response = client.post(NEW, story_form(storyteller=storyteller.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Story.objects.count() == 0


def test_a_storyteller_cannot_upload_for_someone_else(client, storyteller, stranger):
    client.force_login(storyteller)
    assert "Whose story is this?" not in client.get(NEW).content.decode()
    client.post(NEW, story_form(storyteller=stranger.pk))
    assert Story.objects.get().storyteller == storyteller
