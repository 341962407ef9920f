"""Withdrawal, consent and transcript corrections belong to the storyteller, in the services too.

The views already ask for the storyteller's own story; the services refuse anyone else as well,
so that no other caller (a command, a task, a future view) can act in their name.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from stories import services
from stories.models import ConsentMethod, Segment, SegmentRevision, StoryStatus, Transcript
from stories.transcripts import transcript_segment_edit

pytestmark = pytest.mark.django_db


def test_only_the_storyteller_can_withdraw_their_story(make_story, curator, contributor):
    story = make_story()
    for person in (curator, contributor, None):
        with pytest.raises(PermissionDenied):
            services.consent_withdraw(story=story, actor=person)
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED and not story.consent.withdrawn


def test_consent_recorded_by_someone_else_must_say_it_was_on_the_storytellers_behalf(
    make_story, contributor
):
    story = make_story(consent={"public": False})
    with pytest.raises(PermissionDenied):
        services.consent_record(
            story=story, actor=contributor, method=ConsentMethod.WRITTEN, archive=True, public=True
        )
    story.refresh_from_db()
    assert story.consent.public is False and story.consent_history.count() == 1
    record = services.consent_record(
        story=story, actor=contributor, method=ConsentMethod.ON_BEHALF, archive=True
    )
    assert (record.method, record.recorded_by) == (ConsentMethod.ON_BEHALF, contributor)


def test_only_the_storyteller_can_correct_their_transcript(make_story, curator, contributor):
    story = make_story(status="draft", kind="audio", text="")
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    transcript = Transcript.objects.create(story=story, engine="import")
    segment = Segment.objects.create(
        transcript=transcript, index=0, start=0, end=2, text="My name is Sara."
    )
    for person in (curator, contributor, None):
        with pytest.raises(PermissionDenied):
            transcript_segment_edit(segment=segment, text="Someone else's words.", actor=person)
    segment.refresh_from_db()
    assert segment.text == "My name is Sara."
    assert not SegmentRevision.objects.exists()
