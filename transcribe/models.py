"""Transcripts: timecoded segments of a story's audio, reviewed and approved by the storyteller."""

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

    def __str__(self) -> str:
        return f"Transcript of {self.story}"

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments.all())


class Segment(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    start = models.FloatField(help_text="Seconds from the start.")
    end = models.FloatField()
    text = models.TextField()
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
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="unique_segment_index"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="segment_end_after_start"
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
        ordering = ["segment", "edited_at", "id"]

    def __str__(self) -> str:
        return f"Edit of segment {self.segment_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Transcribing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class TranscriptionJobQuerySet(models.QuerySet["TranscriptionJob"]):
    def lease_expired(self, now) -> TranscriptionJobQuerySet:
        """Running jobs whose worker stopped renewing its lease (it died or hangs)."""
        return self.filter(state=JobState.RUNNING, lease_expires_at__lt=now)

    def claimable(self, now) -> TranscriptionJobQuerySet:
        """Jobs a worker may take now: queued and due, or running on an expired lease."""
        return self.filter(
            models.Q(state=JobState.QUEUED, run_after__lte=now)
            | models.Q(state=JobState.RUNNING, lease_expires_at__lt=now)
        )


class TranscriptionJob(models.Model):
    """A story's transcription: one row per story, claimed by one worker at a time.

    A worker claims the row with a conditional UPDATE that sets a fresh ``claim`` token and a
    lease, renews the lease while it works (heartbeat), and writes the transcript only while
    its token still holds. A worker that dies stops renewing; the upkeep step queues the job
    again once the lease has expired. ``generation`` counts enqueues (new media, re-runs).
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="transcription_job"
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0, help_text="Share of the audio done, 0 to 1.")
    attempts = models.PositiveIntegerField(default=0)
    generation = models.PositiveIntegerField(default=0)
    run_after = models.DateTimeField(help_text="Not before (backoff between attempts).")
    claim = models.UUIDField(null=True, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the worker.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="Latest queued task.")
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TranscriptionJobQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["state", "lease_expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="transcription_progress_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Transcription of story {self.story_id}: {self.get_state_display()}"

    @property
    def percent(self) -> int:
        """Progress as a whole percentage, for pages and the admin."""
        return 100 if self.state == JobState.DONE else int(self.progress * 100)

    @property
    def status_line(self) -> str:
        """One sentence for the storyteller's page and the admin."""
        if self.state == JobState.QUEUED:
            if self.attempts:
                return f"Waiting to try again (attempt {self.attempts + 1}). {self.last_error}"
            return "Waiting for a transcription worker."
        if self.state == JobState.RUNNING:
            return f"Transcribing: {self.percent}% of the recording done."
        if self.state == JobState.DONE:
            return "The transcript is ready for review."
        if self.state == JobState.FAILED:
            return f"Transcription failed: {self.last_error}"
        return "Transcription was cancelled."
