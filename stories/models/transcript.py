"""Transcripts: timecoded segments of a story's recording, reviewed and approved by its storyteller.

The transcription engine (`transcribe`) makes them and hands them over through
`stories.transcripts.transcript_replace`; everything else reads them here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Transcript(models.Model):
    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="transcript"
    )
    language = models.CharField(max_length=16, blank=True)
    language_probability = models.FloatField(null=True, blank=True)
    engine = models.CharField(max_length=64, blank=True, help_text="Engine, or 'import'.")
    model_name = models.CharField(max_length=255, blank=True)
    duration = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Anything the engine wants the reader to know.")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The storyteller's words: deleted when they withdraw the story.
    erased_on_withdrawal = True

    class Meta:
        db_table = "transcribe_transcript"

    def __str__(self) -> str:
        return f"Transcript of {self.story}"

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments.all())


class Speaker(models.Model):
    """A voice in a transcript: found by diarization ("S1", "S2"…), then named by the storyteller.

    Who the public sees is decided by `stories.visibility.speaker_name`: the storyteller's own
    voice ("Me") shows as the story's attribution, never as their account.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(max_length=16, help_text="As found: S1, S2…")
    name = models.CharField(
        max_length=100, blank=True, help_text="Given by the storyteller: Interviewer, a name…"
    )
    is_storyteller = models.BooleanField(
        default=False, help_text="The storyteller's own voice (“Me”)."
    )

    class Meta:
        db_table = "transcribe_speaker"
        ordering = ["transcript", "id"]  # in the order they were found: S1, S2… S10
        constraints = [
            models.UniqueConstraint(fields=["transcript", "label"], name="unique_speaker_label"),
        ]

    def __str__(self) -> str:
        return self.name or self.label


class Segment(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments"
    )
    start = models.FloatField(help_text="Seconds from the start.")
    end = models.FloatField()
    text = models.TextField()
    language = models.CharField(
        max_length=12,
        blank=True,
        default="",
        help_text="The line's language where it is not the transcript's (stories.languages).",
    )
    language_set = models.BooleanField(
        default=False,
        help_text="A person chose the line's language: detection leaves it as they set it.",
    )
    confidence = models.FloatField(null=True, blank=True)
    words = models.JSONField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "transcribe_segment"
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="unique_segment_index"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="segment_end_after_start"
            ),
        ]
        indexes = [
            # Few lines have a language of their own: search.languages reads theirs each minute.
            models.Index(
                fields=["language"],
                name="segment_own_language",
                condition=~models.Q(language=""),
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.start:.1f}-{self.end:.1f}] {self.text[:40]}"


class SegmentRevision(models.Model):
    """Every correction to a segment's text, with who and when."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="revisions")
    old_text = models.TextField()
    new_text = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "transcribe_segmentrevision"
        ordering = ["segment", "edited_at", "id"]

    def __str__(self) -> str:
        return f"Edit of segment {self.segment_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class EditKind(models.TextChoices):
    CORRECT = "correct", "Corrected a line"
    JOIN = "join", "Joined two lines"
    SPLIT = "split", "Split a line"
    REPLACE = "replace", "Replaced words across the transcript"
    SPEAKER = "speaker", "Changed who speaks a line"
    LANGUAGE = "language", "Set the language of a line"
    UNDO = "undo", "Undid a change"


class TranscriptEdit(models.Model):
    """One change to a transcript's lines, kept whole so it can be undone.

    `before` and `after` hold the lines from `first_index` on that the change replaced and
    made (start, end, text, language, words, confidence, speaker), so undoing puts `before` back
    where `after` stands. Changes are undone last first: an older one waits for the newer ones.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="edits")
    kind = models.CharField(max_length=16, choices=EditKind.choices)
    first_index = models.PositiveIntegerField()
    before = models.JSONField()
    after = models.JSONField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "transcribe_transcriptedit"
        ordering = ["transcript", "-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.edited_at:%Y-%m-%d %H:%M}"
