"""Background jobs on a story's recording, one row per story, claimed by one worker at a time:
its transcription, and the rendition of its redacted recording."""

from __future__ import annotations

import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Transcribing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


_Job = TypeVar("_Job", bound=models.Model)


class LeasedJobQuerySet(models.QuerySet[_Job]):
    """Queries over a job table with a lease (``state``, ``lease_expires_at``, ``run_after``,
    ``queued_at``): shared by transcription and rendition jobs."""

    def lease_expired(self, now: datetime.datetime) -> Self:
        """Running jobs whose worker stopped renewing its lease (it died or hangs)."""
        return self.filter(state=JobState.RUNNING, lease_expires_at__lt=now)

    def needs_attention(self, now: datetime.datetime, queued_grace: datetime.timedelta) -> Self:
        """Jobs a curator should look at: failed, running on an expired lease (its worker died
        or hangs), or due for longer than `queued_grace` with no worker taking them."""
        return self.filter(
            models.Q(state=JobState.FAILED)
            | models.Q(state=JobState.RUNNING, lease_expires_at__lt=now)
            | models.Q(state=JobState.QUEUED, run_after__lt=now - queued_grace)
        )

    def claimable(self, now: datetime.datetime) -> Self:
        """Jobs a worker may take now: queued and due, or running on an expired lease."""
        return self.filter(
            models.Q(state=JobState.QUEUED, run_after__lte=now)
            | models.Q(state=JobState.RUNNING, lease_expires_at__lt=now)
        )

    def in_queue_order(self) -> Self:
        """Oldest first by when the job was queued in its generation, not by its latest retry:
        a job taken back from a dead worker, or retried, keeps its place ahead of newer ones."""
        return self.order_by("queued_at", "pk")

    def held(self, job_id: int, token: object) -> _Job | None:
        """The job row, locked, if the claim `token` still holds it (call in a transaction)."""
        return (
            self.select_for_update().filter(pk=job_id, claim=token, state=JobState.RUNNING).first()
        )

    def renew(
        self, job_id: int, token: object, *, lease: datetime.timedelta, progress: float
    ) -> bool:
        """Renew the lease and store the progress; False when the claim no longer holds."""
        now = timezone.now()
        renewed = self.filter(pk=job_id, claim=token, state=JobState.RUNNING).update(
            lease_expires_at=now + lease,
            heartbeat_at=now,
            progress=min(1.0, max(0.0, progress)),
            updated_at=now,
        )
        return renewed == 1


class TranscriptionJobQuerySet(LeasedJobQuerySet["TranscriptionJob"]):
    pass


class RenditionJobQuerySet(LeasedJobQuerySet["RenditionJob"]):
    pass


class TranscriptionJob(models.Model):
    """A story's transcription: one row per story, claimed by one worker at a time.

    A worker claims the row with a conditional UPDATE that sets a fresh ``claim`` token and a
    lease, renews the lease while it works (heartbeat), and writes the transcript only while
    its token still holds. A worker that dies stops renewing; once the lease has expired the
    job is taken again (by the next free worker, or queued again by the upkeep step).
    ``generation`` counts enqueues (new media, re-runs); ``queued_at`` is when the current
    generation was queued, and workers take jobs in that order.
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="transcription_job"
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0, help_text="Share of the audio done, 0 to 1.")
    attempts = models.PositiveIntegerField(default=0)
    generation = models.PositiveIntegerField(default=0)
    run_after = models.DateTimeField(help_text="Not before (backoff between attempts).")
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="When this generation was queued: the queue's order."
    )
    claim = models.UUIDField(null=True, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the worker.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
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
        indexes = [
            models.Index(fields=["state", "lease_expires_at"]),
            models.Index(fields=["state", "queued_at"], name="transcription_queue_order"),
        ]
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


class RenditionJob(models.Model):
    """The making of a story's redacted recording (``stories.RedactedMedia``), with the same
    lease, claim token, heartbeat, attempts and backoff as ``TranscriptionJob``.

    Nobody queues it by hand: the worker finds redacted recordings waiting for a rendition and
    (re)queues this row for their current ``generation`` (``transcribe.renditions``). A worker
    still busy with an older generation loses its claim, and what it made is thrown away.
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="rendition_job"
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0, help_text="Share of the work done, 0 to 1.")
    attempts = models.PositiveIntegerField(default=0)
    generation = models.PositiveIntegerField(
        default=0, help_text="The generation of the redacted recording this job makes."
    )
    run_after = models.DateTimeField(help_text="Not before (backoff between attempts).")
    queued_at = models.DateTimeField(default=timezone.now)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the worker.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RenditionJobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["state", "lease_expires_at"], name="rendition_lease"),
            models.Index(fields=["state", "queued_at"], name="rendition_queue_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="rendition_progress_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Redacted recording of story {self.story_id}: {self.get_state_display()}"

    @property
    def percent(self) -> int:
        return 100 if self.state == JobState.DONE else int(self.progress * 100)
