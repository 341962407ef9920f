"""Reviewing a transcript: corrections keep who and when; only the storyteller approves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from stories import services
from stories.models import (
    Segment,
    SegmentRevision,
    StoryChange,
    StoryEvent,
    StoryStatus,
    Transcript,
)
from stories.transcripts import ReviewRefused, transcript_approve, transcript_segment_edit

pytestmark = pytest.mark.django_db

LINES = [(0.0, 2.5, "My name is Sara."), (2.5, 6.0, "We started a coffee morning.")]


@pytest.fixture
def reviewed_story(make_story):
    story = make_story(status="draft", kind="audio", text="")
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    transcript = Transcript.objects.create(
        story=story, engine="faster-whisper", model_name="tiny.en"
    )
    for index, (start, end, text) in enumerate(LINES):
        Segment.objects.create(transcript=transcript, index=index, start=start, end=end, text=text)
    return story


def test_the_review_screen_puts_player_and_lines_side_by_side(client, storyteller, reviewed_story):
    client.force_login(storyteller)
    html = client.get(reverse("storyteller:review", args=[reviewed_story.pk])).content.decode()
    assert f'src="{reverse("stories:media", args=[reviewed_story.pk, "media"])}"' in html
    assert '<audio id="player" controls' in html
    # Each line has a real button to play from its start, and a labelled correction form.
    assert html.count('<button type="button" class="play-from secondary" data-seek="') == 2
    assert 'data-seek="2.500"' in html
    assert "Words of line 2" in html
    assert "<summary>Correct line 1</summary>" in html
    assert "Approve this transcript" in html


def test_a_correction_keeps_the_old_text_who_and_when(client, storyteller, reviewed_story):
    client.force_login(storyteller)
    segment = Segment.objects.get(index=0)
    StoryChange.objects.all().delete()
    url = reverse("storyteller:segment_edit", args=[reviewed_story.pk, segment.pk])
    response = client.post(url, {f"s{segment.pk}-text": "My name is  Sarah."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#segment-{segment.pk}")
    segment.refresh_from_db()
    assert segment.text == "My name is Sarah."
    assert segment.edited_by == storyteller and segment.edited_at is not None
    revision = SegmentRevision.objects.get()
    assert (revision.old_text, revision.new_text) == ("My name is Sara.", "My name is Sarah.")
    assert revision.edited_by == storyteller and revision.edited_at is not None
    assert StoryEvent.objects.filter(action="transcript.segment_edited").exists()
    assert StoryChange.objects.filter(story_id=reviewed_story.pk).exists()


def test_an_unchanged_line_leaves_no_revision(storyteller, reviewed_story):
    segment = Segment.objects.get(index=1)
    transcript_segment_edit(
        segment=segment, text=" We started a coffee morning. ", actor=storyteller
    )
    assert not SegmentRevision.objects.exists()


def test_an_empty_correction_is_refused_with_what_to_do(client, storyteller, reviewed_story):
    client.force_login(storyteller)
    segment = Segment.objects.get(index=0)
    url = reverse("storyteller:segment_edit", args=[reviewed_story.pk, segment.pk])
    response = client.post(url, {f"s{segment.pk}-text": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_s{segment.pk}-text"' in html
    assert "<details open data-line-editor>" in html
    with pytest.raises(ReviewRefused, match="inaudible"):
        transcript_segment_edit(segment=segment, text="", actor=storyteller)


def test_approving_moves_the_story_on_and_records_who(client, storyteller, reviewed_story):
    client.force_login(storyteller)
    response = client.post(reverse("storyteller:approve", args=[reviewed_story.pk]))
    assert response.status_code == 302
    reviewed_story.refresh_from_db()
    assert reviewed_story.status == StoryStatus.APPROVED
    transcript = Transcript.objects.get(story=reviewed_story)
    assert transcript.approved_by == storyteller and transcript.approved_at is not None


def test_only_the_storyteller_can_approve(client, reviewed_story, curator, contributor):
    with pytest.raises(PermissionDenied):
        transcript_approve(story=reviewed_story, actor=curator)
    for person in (curator, contributor):
        client.force_login(person)
        assert (
            client.post(reverse("storyteller:approve", args=[reviewed_story.pk])).status_code == 404
        )
    reviewed_story.refresh_from_db()
    assert reviewed_story.status == StoryStatus.AWAITING_REVIEW


def test_only_an_approved_story_can_be_published(storyteller, curator, reviewed_story):
    with pytest.raises(services.PublicationRefused, match="has not approved the transcript"):
        services.story_publish(story=reviewed_story, actor=curator)
    transcript_approve(story=reviewed_story, actor=storyteller)
    services.story_publish(story=reviewed_story, actor=curator)
    assert reviewed_story.status == StoryStatus.PUBLISHED


def test_a_story_still_being_transcribed_cannot_be_approved(storyteller, make_story):
    story = make_story(status="draft", kind="audio", text="")
    with pytest.raises(ReviewRefused, match="waiting for your review"):
        transcript_approve(story=story, actor=storyteller)


def test_a_written_story_is_approved_without_a_transcript(client, storyteller, make_story):
    story = make_story(status="awaiting_review")
    client.force_login(storyteller)
    html = client.get(reverse("storyteller:review", args=[story.pk])).content.decode()
    assert "Once upon a time the garden group" in html
    client.post(reverse("storyteller:approve", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED


def test_other_peoples_segments_cannot_be_edited(client, stranger, reviewed_story):
    client.force_login(stranger)
    segment = Segment.objects.get(index=0)
    url = reverse("storyteller:segment_edit", args=[reviewed_story.pk, segment.pk])
    assert client.post(url, {f"s{segment.pk}-text": "hacked"}).status_code == 404
    segment.refresh_from_db()
    assert segment.text == "My name is Sara."


def test_the_storyteller_can_have_it_transcribed_again_in_another_language(
    client, storyteller, reviewed_story
):
    from stories.models import Story
    from transcribe.models import JobState, TranscriptionJob

    Story.objects.filter(pk=reviewed_story.pk).update(media="stories/interview.wav")
    client.force_login(storyteller)
    page = client.get(reverse("storyteller:review", args=[reviewed_story.pk])).content.decode()
    assert "Written in the wrong language? Transcribe it again" in page
    StoryChange.objects.all().delete()
    url = reverse("storyteller:retranscribe", args=[reviewed_story.pk])
    response = client.post(url, {"language": "cy"})
    assert response.status_code == 302
    reviewed_story.refresh_from_db()
    assert reviewed_story.language == "cy"
    job = TranscriptionJob.objects.get(story=reviewed_story)
    assert job.state == JobState.QUEUED
    event = StoryEvent.objects.get(action="transcription.language")
    assert event.data == {"language": "cy"} and event.actor == storyteller
    assert StoryChange.objects.filter(story_id=reviewed_story.pk).exists()


def test_a_language_not_offered_is_refused_with_the_reason(client, storyteller, reviewed_story):
    client.force_login(storyteller)
    url = reverse("storyteller:retranscribe", args=[reviewed_story.pk])
    response = client.post(url, {"language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    reviewed_story.refresh_from_db()
    assert reviewed_story.language == "en"


def test_an_approved_transcript_is_not_thrown_away_by_a_new_language(
    client, storyteller, reviewed_story
):
    from stories.models import Story

    Story.objects.filter(pk=reviewed_story.pk).update(media="stories/interview.wav")
    transcript_approve(story=reviewed_story, actor=storyteller)
    client.force_login(storyteller)
    page = client.get(reverse("storyteller:review", args=[reviewed_story.pk])).content.decode()
    assert "Transcribe it again" not in page
    response = client.post(
        reverse("storyteller:retranscribe", args=[reviewed_story.pk]), {"language": "cy"}
    )
    assert response.status_code == 400
    assert "approved the transcript" in response.content.decode()
    reviewed_story.refresh_from_db()
    assert reviewed_story.language == "en"  # the refusal rolled the language back too
