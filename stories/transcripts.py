"""A story's transcript: written once by the engine, then corrected and approved by its teller.

`transcript_replace` is how a transcription (or an imported transcript) becomes the story's
segments; corrections keep their history (SegmentRevision), and only the storyteller approves.

A segment's per-word list (`words`, with the engine's timings) always spells its text: when the
text changes, the words follow it (`words_follow`), and `segment_words` is what readers serve, so
a word the storyteller corrected away is never shown again.

Only the storyteller approves their own story; only an approved story can be published
(`stories.services.story_publish` refuses the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.languages import line_language
from stories.models import (
    EditKind,
    Segment,
    SegmentRevision,
    Speaker,
    Story,
    StoryStatus,
    Transcript,
    TranscriptEdit,
)
from stories.redactions import redactions_reapply
from stories.services import story_transition
from stories.types import Actor
from stories.words import segment_words as segment_words
from stories.words import words_follow as words_follow
from stories.words import words_spell as words_spell

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
    speakers: Sequence[str | None] = (),
) -> Transcript:
    """Replace the story's transcript, all its segments and its speakers (call inside a
    transaction).

    The transcription engine hands its result over here (and so does an imported transcript):
    `segments` are (start, end, text, confidence, words) in order; `speakers`, when given, is
    each segment's voice as diarization labelled it ("S1", "S2"…, or None), and becomes one
    Speaker per label, unnamed until the storyteller names it. A line in another language than
    the transcript's is marked with its own (stories.languages).
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
    transcript.edits.all().delete()  # a new transcript: the old one's changes cannot be undone
    transcript.speakers.all().delete()
    labels = list(speakers) or [None] * len(segments)
    if len(labels) != len(segments):
        raise ValueError(f"{len(labels)} speakers given for {len(segments)} segments")
    voices = {
        label: Speaker.objects.create(transcript=transcript, label=label)
        for label in dict.fromkeys(label for label in labels if label)
    }
    heard = language or story.language
    Segment.objects.bulk_create(
        Segment(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            text=text,
            language=line_language(text, heard),
            confidence=confidence,
            words=words_follow(words, text=text, start=start, end=end),
            speaker=voices.get(label) if label else None,
        )
        for index, ((start, end, text, confidence, words), label) in enumerate(
            zip(segments, labels, strict=True)
        )
    )
    redactions_reapply(transcript)  # the engine heard the original: take the spans out again
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
    edit_check(story, actor)
    text = line_text_check(text)
    if text == segment.text.strip():
        return segment
    before = lines_snapshot([segment])
    segment_text_set(segment, text, actor, heard=heard_language(segment.transcript))
    segment.save(update_fields=["text", "words", "language", "edited_by", "edited_at"])
    TranscriptEdit.objects.create(
        transcript=segment.transcript,
        kind=EditKind.CORRECT,
        first_index=segment.index,
        before=before,
        after=lines_snapshot([segment]),
        edited_by=actor,
    )
    story_event_record(
        story_id=story.pk, action="transcript.segment_edited", actor=actor, segment=segment.index
    )
    story_changed(story_ids=[story.pk])
    return segment


def edit_check(story: Story, actor: Actor) -> None:
    """Only the storyteller changes their transcript, and only once it is ready for review."""
    if actor is None or actor.pk != story.storyteller_id:
        raise PermissionDenied("Only the storyteller can correct their own transcript.")
    if story.status not in EDITABLE:
        raise ReviewRefused(
            "This transcript cannot be corrected now: it is still being made, or the story was "
            "withdrawn. Come back when it is ready for review."
        )


def line_text_check(text: str) -> str:
    """A line's words, tidied; refused when empty or too long."""
    text = " ".join(text.split())
    if not text:
        raise ReviewRefused(
            "A line cannot be empty. Type what is said, or write [inaudible] if it cannot be heard."
        )
    if len(text) > MAX_SEGMENT_CHARS:
        raise ReviewRefused(
            f"A line can be at most {MAX_SEGMENT_CHARS} characters. Shorten it and try again."
        )
    return text


def heard_language(transcript: Transcript) -> str:
    """The language a transcript's lines are in unless marked otherwise (its story known)."""
    return transcript.language or transcript.story.language


def segment_text_set(segment: Segment, text: str, actor: Actor, *, heard: str) -> None:
    """Give the segment new words (not saved), keeping the old ones in its revisions; its
    language is found again from them (`heard`: the transcript's, see `heard_language`)."""
    SegmentRevision.objects.create(
        segment=segment, old_text=segment.text, new_text=text, edited_by=actor
    )
    segment.text = text
    # The engine's word list must follow the correction, or the old words would live on in it.
    segment.words = words_follow(segment.words, text=text, start=segment.start, end=segment.end)
    segment.language = language_redetect(segment, heard)
    segment.edited_by = actor
    segment.edited_at = timezone.now()


def language_redetect(segment: Segment, heard: str) -> str:
    """The segment's language for its text as it now is: the one a person set stays."""
    return segment.language if segment.language_set else line_language(segment.text, heard)


def lines_snapshot(segments: list[Segment]) -> list[dict[str, Any]]:
    """What an undo needs to put these lines back as they are now."""
    return [
        {
            "start": s.start,
            "end": s.end,
            "text": s.text,
            "language": s.language,
            "language_set": s.language_set,
            "words": s.words,
            "confidence": s.confidence,
            "speaker": s.speaker_id,
        }
        for s in segments
    ]


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
