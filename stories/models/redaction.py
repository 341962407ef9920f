"""Redactions: words a storyteller (or a curator, for them or for a third party) took out.

A redaction is a time span of the recording. Its words are replaced in the shared transcript by
a visible "[redacted]" mark in the same transaction as the change log, so every reader of the
transcript (pages, captions, downloads, search, tag quotes, exports, feeds, the API) gets the
redacted words without knowing redactions exist. The words taken out stay only here, for the
storyteller (and for undo), until they ask for the original to be destroyed.

The recording follows through `RedactedMedia`: a rendition with the spans silenced (plus a
guard band), made by a background job and checked by listening to it again. Until a current
rendition exists, nobody but the storyteller gets the recording at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.storage import story_storage


class RedactionBy(models.TextChoices):
    STORYTELLER = "storyteller", "By the storyteller"
    REQUEST = "request", "By a curator, at the storyteller's request"
    THIRD_PARTY = "third_party", "By a curator, to protect someone else"


class Redaction(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="redactions")
    start = models.FloatField(help_text="Seconds from the start: the first word taken out.")
    end = models.FloatField(help_text="Seconds: the end of the last word taken out.")
    words = models.TextField(
        blank=True, help_text="The words taken out: for the storyteller only; gone once destroyed."
    )
    # Per line: its index and the words it had in the span, so an undo can put them back.
    originals = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    by = models.CharField(max_length=16, choices=RedactionBy.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    erased_on_withdrawal = True
    # Set by `stories.redactions.redactions_for`: the words can still be put back.
    undoable: bool = False

    class Meta:
        ordering = ["story", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) & models.Q(start__gte=0),
                name="redaction_span_forwards",
            ),
        ]

    def __str__(self) -> str:
        return f"Redaction {self.start:.1f}-{self.end:.1f} s of story {self.story_id}"


class RenditionState(models.TextChoices):
    PENDING = "pending", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Words still heard"


class RedactedMedia(models.Model):
    """The recording as everyone but its storyteller hears it, once redactions exist.

    `generation` counts changes to the redactions; the rendition in `file` was made for
    `rendered_generation`, and only a rendition made for the current generation, ready and
    verified, is ever served.
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="redacted_media"
    )
    state = models.CharField(
        max_length=16, choices=RenditionState.choices, default=RenditionState.PENDING
    )
    generation = models.PositiveIntegerField(default=1)
    rendered_generation = models.PositiveIntegerField(default=0)
    # The spans to silence, guard band included: [[start, end], ...] in seconds, merged, sorted.
    spans = models.JSONField(default=list, blank=True)
    file = models.FileField(storage=story_storage, blank=True, max_length=500)
    heard = models.TextField(
        blank=True, help_text="Words taken out that the check still heard in the rendition."
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    original_destroyed = models.BooleanField(
        default=False, help_text="The storyteller asked for the original words and sound to go."
    )
    updated_at = models.DateTimeField(auto_now=True)

    erased_on_withdrawal = True

    def __str__(self) -> str:
        return f"Redacted recording of story {self.story_id}: {self.get_state_display()}"

    @property
    def current(self) -> bool:
        """A verified rendition of the redactions as they are now exists."""
        return (
            self.state == RenditionState.READY
            and self.rendered_generation == self.generation
            and bool(self.file)
        )
