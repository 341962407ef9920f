"""A story can take an existing transcript instead of being transcribed; bad files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.models import Story, StoryEvent, StoryStatus, Transcript
from tests.transcribe_helpers import story_with_media
from transcribe import services, synth
from transcribe.errors import TranscriptFormatError
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db

VTT = b"""WEBVTT

00:00:00.000 --> 00:00:03.500
My name is Sarah.

00:00:03.500 --> 00:00:07.000
I have lived here for <i>twenty</i> years.
"""
SRT = b"""1
00:00:00,000 --> 00:00:02,000
First line.

2
00:00:02,500 --> 00:00:05,000
Second line.
"""


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak("A short hello.", tmp_path_factory.mktemp("import") / "hello.wav")


@pytest.fixture
def story(storyteller, recording) -> Story:
    story = story_with_media(storyteller, recording)
    Story.objects.filter(pk=story.pk).update(media_duration=12.0)
    story.refresh_from_db()
    return story


def segments_of(story: Story) -> list[tuple[float, float, str]]:
    transcript = Transcript.objects.get(story=story)
    return [(s.start, s.end, s.text) for s in transcript.segments.all()]


def test_webvtt_becomes_the_stories_segments_and_it_awaits_review(story, storyteller):
    transcript = services.transcript_import(
        story=story, data=VTT, filename="interview.vtt", actor=storyteller
    )
    assert segments_of(story) == [
        (0.0, 3.5, "My name is Sarah."),
        (3.5, 7.0, "I have lived here for twenty years."),
    ]
    assert (transcript.engine, transcript.model_name) == ("import", "vtt")
    assert "Imported from interview.vtt" in transcript.note
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_REVIEW
    assert StoryEvent.objects.filter(story_id=story.pk, action="transcript.imported").exists()


def test_the_import_replaces_the_queued_transcription(story, storyteller):
    services.transcript_import(story=story, data=SRT, filename="subs.srt", actor=storyteller)
    job = TranscriptionJob.objects.get(story=story)
    assert job.state == JobState.CANCELLED
    assert services.transcription_run(job_id=job.pk, worker="late:1") == "skipped"
    assert [text for *_, text in segments_of(story)] == ["First line.", "Second line."]


def test_plain_text_is_spread_over_the_recording(story, storyteller):
    services.transcript_import(
        story=story, data="Hello there.\nWe met on Tuesdays.\n", filename="notes.txt",
        actor=storyteller,
    )  # fmt: skip
    segments = segments_of(story)
    assert segments[0][0] == 0.0 and segments[-1][1] == pytest.approx(12.0)
    assert "spread over the recording" in Transcript.objects.get(story=story).note


def test_a_second_import_replaces_every_segment(story, storyteller):
    services.transcript_import(story=story, data=VTT, filename="a.vtt", actor=storyteller)
    services.transcript_import(story=story, data=SRT, filename="b.srt", actor=storyteller)
    transcript = Transcript.objects.get(story=story)
    assert [s.index for s in transcript.segments.all()] == [0, 1]
    assert [text for *_, text in segments_of(story)] == ["First line.", "Second line."]


@pytest.mark.parametrize(
    ("filename", "data", "line"),
    [
        ("bad.vtt", b"WEBVTT\n\n00:00.000 --> 00:0x.000\nHi\n", 3),
        ("bad.srt", b"1\n00:00:01,000 --> 00:00:02,000\nA\n\ntwo\n00:00:03,000 --> x\nB\n", 5),
        ("bad.txt", b"[00:01] fine\nno time here\n", 2),
    ],
)
def test_a_malformed_file_is_refused_with_its_line_and_nothing_changes(
    story, storyteller, filename, data, line
):
    services.transcript_import(story=story, data=VTT, filename="good.vtt", actor=storyteller)
    before = segments_of(story)
    with pytest.raises(TranscriptFormatError) as excinfo:
        services.transcript_import(story=story, data=data, filename=filename, actor=storyteller)
    assert excinfo.value.line == line
    assert str(excinfo.value).startswith(f"Line {line}: ")
    assert segments_of(story) == before


def test_an_approved_transcript_is_not_overwritten(story, storyteller):
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.APPROVED)
    with pytest.raises(services.JobRefused, match="approved"):
        services.transcript_import(story=story, data=VTT, filename="a.vtt", actor=storyteller)
