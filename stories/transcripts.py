"""A story's transcript: written once by the engine, then corrected and approved by its teller.

`transcript_replace` is how a transcription (or an imported transcript) becomes the story's
segments; corrections keep their history (SegmentRevision), and only the storyteller approves.

Only the storyteller approves their own story; only an approved story can be published
(`stories.services.story_publish` refuses the rest).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import Segment, SegmentRevision, Story, StoryStatus, Transcript
from stories.services import story_transition
from stories.types import Actor

EDITABLE = (StoryStatus.AWAITING_REVIEW, StoryStatus.APPROVED, StoryStatus.PUBLISHED)
MAX_SEGMENT_CHARS = 5000


def transcript_replace(
    *,
    story: Story,
    segments: list[tuple[float, float, str, float | None, list[dict[str, Any]] | None]],
    engine: str,
    model_name: str,
    language: str,
    language_probability: float | None,
    duration: float | None,
    note: str,
) -> Transcript:
    """Replace the story's transcript and all its segments (call inside a transaction).

    The transcription engine hands its result over here (and so does an imported transcript):
    `segments` are (start, end, text, confidence, words) in order.
    """
    transcript, _ = Transcript.objects.update_or_create(
        story=story,
        defaults={
            "engine": engine,
            "model_name": model_name,
            "language": language,
            "language_probability": language_probability,
            "duration": duration,
            "note": note,
            "approved_at": None,
            "approved_by": None,
        },
    )
    transcript.segments.all().delete()
    Segment.objects.bulk_create(
        Segment(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            text=text,
            confidence=confidence,
            words=words or None,
        )
        for index, (start, end, text, confidence, words) in enumerate(segments)
    )
    return transcript


class ReviewRefused(Exception):
    """The edit or approval cannot be made; the message says why and what to do."""


@transaction.atomic
def transcript_segment_edit(*, segment: Segment, text: str, actor: Actor) -> Segment:
    """Correct a segment's text; the old and new text, who and when go to SegmentRevision."""
    segment = (
        Segment.objects.select_for_update().select_related("transcript__story").get(pk=segment.pk)
    )
    story = segment.transcript.story
    if actor is None or actor.pk != story.storyteller_id:
        raise PermissionDenied("Only the storyteller can correct their own transcript.")
    if story.status not in EDITABLE:
        raise ReviewRefused(
            "This transcript cannot be corrected now: it is still being made, or the story was "
            "withdrawn. Come back when it is ready for review."
        )
    text = " ".join(text.split())
    if not text:
        raise ReviewRefused(
            "A line cannot be empty. Type what is said, or write [inaudible] if it cannot be heard."
        )
    if len(text) > MAX_SEGMENT_CHARS:
        raise ReviewRefused(
            f"A line can be at most {MAX_SEGMENT_CHARS} characters. Shorten it and try again."
        )
    if text == segment.text.strip():
        return segment
    SegmentRevision.objects.create(
        segment=segment, old_text=segment.text, new_text=text, edited_by=actor
    )
    segment.text = text
    segment.edited_by = actor
    segment.edited_at = timezone.now()
    segment.save(update_fields=["text", "edited_by", "edited_at"])
    story_event_record(
        story_id=story.pk, action="transcript.segment_edited", actor=actor, segment=segment.index
    )
    story_changed(story_ids=[story.pk])
    return segment


@transaction.atomic
def transcript_approve(*, story: Story, actor: Actor) -> Story:
    """The storyteller approves their story's transcript (or written text): it may be published."""
    if actor is None or actor.pk != story.storyteller_id:
        raise PermissionDenied("Only the storyteller can approve their own story.")
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status != StoryStatus.AWAITING_REVIEW:
        raise ReviewRefused(
            "Only a story that is waiting for your review can be approved. "
            f"This one is {story.get_status_display().lower()}."
        )
    if story.has_media:
        transcript = Transcript.objects.filter(story=story).first()
        if transcript is None or not transcript.segments.exists():
            raise ReviewRefused(
                "There is no transcript to approve yet. Wait until it is ready, then check it."
            )
        transcript.approved_at = timezone.now()
        transcript.approved_by = actor
        transcript.save(update_fields=["approved_at", "approved_by"])
    return story_transition(story=story, target=StoryStatus.APPROVED, actor=actor)
