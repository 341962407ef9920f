"""Curators see transcription jobs in the admin, re-run them and import transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stories.models import Transcript
from tests.transcribe_helpers import story_with_media
from transcribe import services, synth
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak("Hello from the hall.", tmp_path_factory.mktemp("admin") / "hello.wav")


class Broken:
    name, model_name = "faster-whisper", "tiny.en"

    def transcribe(self, audio, *, language=None, progress=None):
        raise RuntimeError("disk full")


@pytest.fixture
def failed_story(storyteller, recording, monkeypatch, settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 1
    story = story_with_media(storyteller, recording, title="Allotment memories")
    monkeypatch.setattr(services, "_engine", lambda config: Broken())
    services.transcription_run(job_id=TranscriptionJob.objects.get(story=story).pk, worker="w:1")
    return story


def test_curators_see_each_job_with_its_state_progress_and_reason(client, curator, failed_story):
    client.force_login(curator)
    page = client.get("/admin/transcriptions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Allotment memories" in html and "disk full" in html
    assert 'data-state="failed"' in html


def test_a_curator_re_runs_a_failed_job(client, curator, failed_story):
    client.force_login(curator)
    confirm = client.get(f"/admin/transcriptions/{failed_story.pk}/rerun/")
    assert confirm.status_code == 200 and "Transcribe again" in confirm.content.decode()
    response = client.post(f"/admin/transcriptions/{failed_story.pk}/rerun/")
    assert response.status_code == 302
    job = TranscriptionJob.objects.get(story=failed_story)
    assert (job.state, job.generation, job.requested_by) == (JobState.QUEUED, 2, curator)


def test_a_curator_imports_a_transcript_and_a_bad_one_names_its_line(client, curator, failed_story):
    client.force_login(curator)
    url = f"/admin/transcriptions/{failed_story.pk}/import/"
    bad = SimpleUploadedFile("talk.srt", b"1\n00:00:01,000 -> 00:00:02,000\nHi\n")
    refused = client.post(url, {"file": bad})
    assert refused.status_code == 400
    assert "talk.srt: Line 2:" in refused.content.decode()
    good = SimpleUploadedFile("talk.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHi there.\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert [s.text for s in Transcript.objects.get(story=failed_story).segments.all()] == [
        "Hi there."
    ]


def test_the_story_listing_offers_a_re_run(client, admin_user, failed_story):
    client.force_login(admin_user)
    listing = client.get("/admin/snippets/stories/story/")
    assert listing.status_code == 200
    assert f"/admin/transcriptions/{failed_story.pk}/rerun/" in listing.content.decode()


@pytest.mark.parametrize("who", ["storyteller", "contributor"])
def test_only_curators_manage_transcriptions(client, request, who, failed_story):
    client.force_login(request.getfixturevalue(who))
    for url in (
        "/admin/transcriptions/",
        f"/admin/transcriptions/{failed_story.pk}/rerun/",
        f"/admin/transcriptions/{failed_story.pk}/import/",
    ):
        assert client.get(url).status_code in (302, 403)
    assert client.post(f"/admin/transcriptions/{failed_story.pk}/rerun/").status_code in (302, 403)
    assert TranscriptionJob.objects.get(story=failed_story).state == JobState.FAILED
