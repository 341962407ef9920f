"""Transcription jobs: queued with the upload, claimed with a lease, written once.

The job table is the queue (one row per story, ``TranscriptionJob``); nothing else holds a job.

1. ``transcription_enqueue`` runs inside the transaction that stored the story's media: the job
   row commits with it or not at all.
2. A worker (``manage.py archive_worker``) asks ``job_claim_next`` for the next due job, oldest
   first by the time its generation was queued (``queued_at``), so a job taken back from a dead
   worker or retried after a failure goes ahead of jobs queued after it. ``job_claim`` takes the
   job with a conditional UPDATE (only a queued job, or a running one whose lease expired) and a
   fresh claim token. Zero rows changed means another worker got there first: two workers never
   transcribe the same story at once. On PostgreSQL the candidate row is locked with
   ``SKIP LOCKED``, so many workers take different jobs without waiting on one another.
3. While it transcribes, a heartbeat renews the lease and stores the progress.
4. ``transcript_store`` writes all segments in one transaction, and only while the claim still
   holds, so a transcript is written once and never half.
5. Failures are retried with exponential backoff up to ``TRANSCRIBE_MAX_ATTEMPTS``, then the job
   fails with the reason; problems no retry can fix (not media, no model) fail at once. A
   curator can re-run it (``transcription_rerun``).
6. A worker killed mid-job stops renewing its lease. Once it has expired the next free worker
   takes the job again; ``jobs_requeue_expired`` (an upkeep step of ``archive_worker``) also
   queues it again, or fails it when workers keep dying on it.
7. A worker told to stop (SIGTERM, SIGINT) gives its job back (``job_release``): due at once,
   at its place in the queue, and the interrupted attempt does not count.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import Story, StoryStatus, Transcript
from stories.notifications import notify_transcript_ready
from stories.services import story_transition
from stories.transcripts import transcript_replace
from stories.types import Actor
from transcribe.config import TranscribeConfig, config_from_settings
from transcribe.engines import Engine, TranscriptionResult, engine_for
from transcribe.engines.notes import truncation_note
from transcribe.errors import TranscribeError
from transcribe.formats import cues_to_segments, detect_format, parse
from transcribe.models import JobState, RenditionJob, TranscriptionJob

logger = logging.getLogger(__name__)

# Statuses a story's transcript may be (re)written in; approved and published ones are the
# storyteller's word and are not overwritten behind their back.
REWRITABLE = (
    StoryStatus.DRAFT,
    StoryStatus.UPLOADED,
    StoryStatus.TRANSCRIBING,
    StoryStatus.AWAITING_REVIEW,
)


class JobRefused(Exception):
    """A re-run or import cannot be done; the message says why and what to do."""


class ClaimLost(Exception):
    """This worker no longer holds the job (its lease expired and another worker took it)."""


class WorkerStopping(Exception):
    """The worker was told to stop while transcribing: the job is given back, not finished."""


# How many candidates ``job_claim_next`` looks at in one call before reporting nothing due
# (a candidate can be cancelled, or taken by another worker, between the look and the claim).
CLAIM_TRIES = 20


def lease_seconds() -> float:
    return float(getattr(settings, "TRANSCRIBE_LEASE_SECONDS", 60))


def max_attempts() -> int:
    return int(getattr(settings, "TRANSCRIBE_MAX_ATTEMPTS", 3))


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: the base delay, doubled after each failed attempt."""
    base = float(getattr(settings, "TRANSCRIBE_RETRY_SECONDS", 30))
    return datetime.timedelta(seconds=base * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Claim:
    """Proof that this worker holds a job: only the holder of ``token`` may write."""

    job_id: int
    story_id: int
    token: uuid.UUID
    attempt: int
    worker: str


# ------------------------------------------------------------------------------ enqueueing


def transcription_enqueue(*, story: Story, actor: Actor = None) -> TranscriptionJob:
    """Queue, or queue again, the transcription of ``story``'s media.

    Call it in the transaction that stored or replaced the media: the job row commits with it.
    Queuing again (new media, a re-run) starts a new generation at the back of the queue: a
    worker still busy with the old one loses its claim and its result is thrown away.
    """
    with transaction.atomic():
        now = timezone.now()
        job, _ = TranscriptionJob.objects.select_for_update().get_or_create(
            story=story, defaults={"run_after": now}
        )
        job.state = JobState.QUEUED
        job.progress = 0.0
        job.attempts = 0
        job.generation += 1
        job.run_after = now
        job.queued_at = now
        job.claim = None
        job.worker = ""
        job.lease_expires_at = None
        job.heartbeat_at = None
        job.last_error = ""
        job.requested_by = actor
        job.started_at = None
        job.finished_at = None
        job.save()
        story_event_record(
            story_id=story.pk, action="transcription.queued", actor=actor, generation=job.generation
        )
    return job


def transcription_rerun(*, story: Story, actor: Actor) -> TranscriptionJob:
    """A curator asks for the story to be transcribed again (after a failure, a new model…)."""
    story = Story.objects.get(pk=story.pk)
    if story.is_withdrawn:
        raise JobRefused("This story was withdrawn: there is nothing to transcribe.")
    if not story.has_media or not story.media:
        raise JobRefused("This story has no recording to transcribe.")
    if story.status not in REWRITABLE:
        raise JobRefused(
            f"This story is {story.get_status_display().lower()}: its storyteller approved the "
            "transcript. Move it back to review before transcribing it again."
        )
    job = TranscriptionJob.objects.filter(story=story).first()
    if (
        job is not None
        and job.state == JobState.RUNNING
        and job.lease_expires_at is not None
        and job.lease_expires_at > timezone.now()
    ):
        raise JobRefused(
            f"This story is being transcribed right now ({job.percent}% done). Wait for it to "
            "finish, then re-run it if needed."
        )
    with transaction.atomic():
        job = transcription_enqueue(story=story, actor=actor)
        story_event_record(story_id=story.pk, action="transcription.rerun", actor=actor)
    return job


def transcription_rerun_in_language(
    *, story: Story, language: str, actor: Actor
) -> TranscriptionJob:
    """The storyteller says which language the story is told in; it is transcribed again in it.

    The way out when a transcript came back in the wrong language or as invented words.
    """
    language = language.strip()
    if not language:
        raise JobRefused("Choose the language the story is told in.")
    with transaction.atomic():
        Story.objects.filter(pk=story.pk).update(language=language)
        story_changed(story_ids=[story.pk])  # the language facet and stemming follow it
        story_event_record(
            story_id=story.pk, action="transcription.language", actor=actor, language=language
        )
        return transcription_rerun(story=story, actor=actor)


def transcription_progress(*, story_ids: list[int]) -> dict[int, tuple[int | None, str]]:
    """(percent done, why it failed) of each story's transcription job, in one query.

    The percent is None when no job is under way; the reason is empty unless the job failed.
    """
    progress: dict[int, tuple[int | None, str]] = {}
    for job in TranscriptionJob.objects.filter(story_id__in=story_ids):
        if job.state in (JobState.QUEUED, JobState.RUNNING):
            progress[job.story_id] = (job.percent, "")
        elif job.state == JobState.FAILED:
            progress[job.story_id] = (None, job.last_error)
        elif job.state == JobState.DONE:
            progress[job.story_id] = (100, "")
    return progress


# -------------------------------------------------------------------------------- claiming


def job_claim(*, job_id: int, worker: str) -> Claim | None:
    """Take the job for ``worker`` if nobody holds it; None if another worker got there first.

    One conditional UPDATE decides: it matches a queued job that is due, or a running job
    whose lease expired, and stamps a new claim token and lease on it.
    """
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        # Who held it before: a running job taken here was left by a worker that died.
        before = (
            TranscriptionJob.objects.select_for_update()
            .filter(pk=job_id)
            .values("state", "worker")
            .first()
        )
        taken = (
            TranscriptionJob.objects.claimable(now)
            .filter(pk=job_id, attempts__lt=max_attempts())
            .update(
                state=JobState.RUNNING,
                claim=token,
                worker=worker[:255],
                lease_expires_at=now + datetime.timedelta(seconds=lease_seconds()),
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                progress=0.0,
                started_at=now,
                updated_at=now,
            )
        )
        if not taken:
            return None  # 0 rows changed: another worker holds it, or it is not due
        job = TranscriptionJob.objects.select_related("story").get(pk=job_id)
        story = job.story
        if before is not None and before["state"] == JobState.RUNNING:
            story_event_record(
                story_id=story.pk, action="transcription.worker_lost", worker=before["worker"]
            )
        if story.is_withdrawn or not story.media:
            _finish(job, JobState.CANCELLED, "The story was withdrawn or its recording removed.")
            return None
        if story.status in (StoryStatus.UPLOADED, StoryStatus.AWAITING_REVIEW):
            story_transition(story=story, target=StoryStatus.TRANSCRIBING)
        story_event_record(
            story_id=story.pk, action="transcription.started", worker=worker, attempt=job.attempts
        )
    return Claim(job.pk, story.pk, token, job.attempts, worker)


def job_claim_next(*, worker: str) -> Claim | None:
    """Take the next due job for ``worker``; None when no job is due.

    Jobs are taken oldest first by the time their generation was queued, so a job whose worker
    died, or one retried after a failure, goes ahead of the jobs queued after it. On PostgreSQL
    the candidate row is locked with SKIP LOCKED: workers looking at the same moment take
    different jobs instead of queuing behind one row lock. The claim itself is ``job_claim``'s
    conditional UPDATE, so the one-holder guarantee does not depend on that lock (SQLite, the
    embedded default, has none and runs one worker).
    """
    for _ in range(CLAIM_TRIES):
        with transaction.atomic():
            job_id = (
                TranscriptionJob.objects.claimable(timezone.now())
                .filter(attempts__lt=max_attempts())
                .in_queue_order()
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
                .first()
            )
            if job_id is None:
                return None
            claim = job_claim(job_id=job_id, worker=worker)
        if claim is not None:
            return claim
        # None after a candidate: it was cancelled (story withdrawn) or another worker took it
        # first; look again.
    return None


def job_release(*, claim: Claim) -> bool:
    """Give a job back unfinished because its worker is stopping; False if no longer held.

    It is due again at once and keeps its place in the queue; the interrupted attempt does not
    count towards ``TRANSCRIBE_MAX_ATTEMPTS``.
    """
    with transaction.atomic():
        job = _held(claim)
        if job is None:
            return False
        job.state = JobState.QUEUED
        job.run_after = timezone.now()
        job.attempts = max(0, job.attempts - 1)
        job.claim = None
        job.lease_expires_at = None
        job.progress = 0.0
        job.save()
        story_event_record(
            story_id=job.story_id, action="transcription.released", worker=claim.worker
        )
    return True


def job_heartbeat(*, claim: Claim, progress: float) -> bool:
    """Renew the lease and store the progress; False when the claim no longer holds."""
    return TranscriptionJob.objects.renew(
        claim.job_id,
        claim.token,
        lease=datetime.timedelta(seconds=lease_seconds()),
        progress=progress,
    )


def _held(claim: Claim) -> TranscriptionJob | None:
    """The job row, locked, if ``claim`` still holds it."""
    return TranscriptionJob.objects.held(claim.job_id, claim.token)


def _finish(job: TranscriptionJob | RenditionJob, state: str, error: str = "") -> None:
    job.state = state
    job.claim = None
    job.lease_expires_at = None
    job.last_error = error
    job.finished_at = timezone.now()
    if state == JobState.DONE:
        job.progress = 1.0
    job.save()


# --------------------------------------------------------------------------------- writing


def transcript_store(*, claim: Claim, result: TranscriptionResult) -> Transcript | None:
    """Write the engine's result as the story's transcript, once, in one transaction.

    Returns None (and writes nothing) when the claim no longer holds: another worker has the
    job, or it was queued again. A withdrawn story gets no transcript.
    """
    with transaction.atomic():
        job = _held(claim)
        if job is None:
            return None
        story = Story.objects.select_for_update().get(pk=job.story_id)
        if story.is_withdrawn:
            _finish(job, JobState.CANCELLED, "The story was withdrawn.")
            return None
        transcript = transcript_replace(
            story=story,
            segments=[
                (
                    s.start,
                    s.end,
                    s.text,
                    s.confidence,
                    [dataclasses.asdict(w) for w in s.words],
                )
                for s in result.segments
            ],
            engine=result.engine,
            model_name=result.model,
            language=result.language,
            language_probability=result.language_probability,
            duration=result.duration,
            note=result.note,
            speakers=[s.speaker for s in result.segments],
        )
        _finish(job, JobState.DONE)
        if story.status == StoryStatus.TRANSCRIBING:
            story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
        story_event_record(
            story_id=story.pk,
            action="transcription.done",
            segments=len(result.segments),
            language=result.language,
            engine=result.engine,
            model=result.model,
            complete=result.complete,
            speakers=len({s.speaker for s in result.segments if s.speaker}),
        )
        story_changed(story_ids=[story.pk])
        if story.status == StoryStatus.AWAITING_REVIEW:
            transaction.on_commit(lambda: notify_transcript_ready(story))
    return transcript


def job_fail(*, claim: Claim, error: str, permanent: bool) -> TranscriptionJob | None:
    """Record a failed attempt: retry later with backoff, or fail for good with the reason."""
    with transaction.atomic():
        job = _held(claim)
        if job is None:
            return None
        story = Story.objects.select_for_update().get(pk=job.story_id)
        _retry_or_fail(job, story, error, permanent=permanent)
    return job


def _retry_or_fail(job: TranscriptionJob, story: Story, error: str, *, permanent: bool) -> None:
    if not permanent and job.attempts < max_attempts():
        job.state = JobState.QUEUED
        job.run_after = timezone.now() + retry_delay(job.attempts)
        job.claim = None
        job.lease_expires_at = None
        job.progress = 0.0
        job.last_error = error
        job.save()
        story_event_record(
            story_id=story.pk,
            action="transcription.retry_scheduled",
            attempt=job.attempts,
            run_after=job.run_after.isoformat(),
            error=error[:500],
        )
        return
    if not permanent:
        error = f"{error} (gave up after {job.attempts} attempts; a curator can re-run it)"
    _finish(job, JobState.FAILED, error)
    if story.status == StoryStatus.TRANSCRIBING:
        story_transition(story=story, target=StoryStatus.UPLOADED)
    story_event_record(story_id=story.pk, action="transcription.failed", error=error[:500])


# --------------------------------------------------------------------------------- running


@functools.lru_cache(maxsize=4)
def _engine(config: TranscribeConfig) -> Engine:
    return engine_for(config)  # one per process and configuration: the model stays loaded


class Heartbeat:
    """Renews a claim's lease from a thread while the engine works; carries the progress.

    ``stopping``, when given, is the worker's stop signal: once it is set the engine's next
    progress report ends the decoding (``WorkerStopping``) so the job can be given back.
    """

    def __init__(
        self,
        claim: Claim,
        *,
        interval: float | None = None,
        stopping: threading.Event | None = None,
        renew: Callable[..., bool] | None = None,
    ) -> None:
        self.claim = claim
        # What renews the lease: the transcription job's by default (rendition jobs pass theirs).
        self.renew = renew or job_heartbeat
        self.interval = interval or max(0.2, min(5.0, lease_seconds() / 3))
        self.fraction = 0.0
        self.stopping = stopping
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="transcribe-heartbeat", daemon=True)

    def progress(self, fraction: float) -> None:
        """The engine's progress callback; stops the decoding once the claim is lost."""
        self.fraction = fraction
        if self.lost.is_set():
            raise ClaimLost
        if self.stopping is not None and self.stopping.is_set():
            raise WorkerStopping

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not self.renew(claim=self.claim, progress=self.fraction):
                        self.lost.set()
                        return
                except Exception:  # the database may be briefly away: try again next beat
                    logger.warning("Transcription heartbeat failed; retrying.", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def loaded_engine() -> Engine:
    """The configured engine, loaded once per process (transcription and the rendition check
    share its model)."""
    return _engine(config_from_settings())


def _local_media(story: Story) -> AbstractContextManager[str]:
    """A local path to the story's media; remote storages are copied to a temporary file."""
    return local_copy(story.media)


@contextmanager
def local_copy(file: FieldFile) -> Iterator[str]:
    """A local path to a stored file; remote storages are copied to a temporary file."""
    storage, name = file.storage, file.name
    assert name
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="transcribe-") as folder:
        local = Path(folder) / f"media{Path(name).suffix}"
        with storage.open(name, "rb") as src, open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield str(local)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def transcription_run(
    *, job_id: int, worker: str | None = None, stopping: threading.Event | None = None
) -> str:
    """Claim the job, transcribe the story's media, store the transcript. Returns the outcome:
    done, skipped (not claimable), lost, released (the worker is stopping), retry or failed."""
    claim = job_claim(job_id=job_id, worker=worker or worker_name())
    if claim is None:
        return "skipped"
    return _transcribe(claim, stopping)


def transcription_run_next(
    *, worker: str | None = None, stopping: threading.Event | None = None
) -> str | None:
    """Claim the next due job and run it (the worker's loop); None when no job is due."""
    claim = job_claim_next(worker=worker or worker_name())
    if claim is None:
        return None
    return _transcribe(claim, stopping)


def _transcribe(claim: Claim, stopping: threading.Event | None) -> str:
    story = Story.objects.get(pk=claim.story_id)
    try:
        engine = loaded_engine()
        with _local_media(story) as path, Heartbeat(claim, stopping=stopping) as beat:
            # The language the storyteller said the story is told in: detection guesses wrong
            # on short or less common languages (Welsh heard as Latin).
            result = engine.transcribe(
                path, language=story.language or None, progress=beat.progress
            )
    except ClaimLost:
        return "lost"
    except WorkerStopping:
        return "released" if job_release(claim=claim) else "lost"
    except TranscribeError as exc:  # not media, no model…: retrying cannot help
        job_fail(claim=claim, error=str(exc), permanent=True)
        return "failed"
    except Exception as exc:
        logger.exception("Transcription of story %s failed", claim.story_id)
        job_fail(claim=claim, error=f"{type(exc).__name__}: {exc}", permanent=False)
        return "retry"
    return (
        "done" if transcript_store(claim=claim, result=_upload_cut_short(story, result)) else "lost"
    )


def _upload_cut_short(story: Story, result: TranscriptionResult) -> TranscriptionResult:
    """The stored file is rebuilt from the sound that decoded, so only the length the upload
    said it had (kept as `media_duration`) shows that it was cut off part way."""
    note = truncation_note(declared=story.media_duration, decoded=result.duration)
    if note is None or note in result.notes:
        return result
    return dataclasses.replace(result, notes=(*result.notes, note))


# -------------------------------------------------------------------------------- recovery


def jobs_requeue_expired() -> int:
    """Upkeep: queue again the jobs whose worker died; give up on those that keep dying.

    A requeued job keeps its ``queued_at``, so it is taken before the jobs queued after it.
    Returns how many jobs it touched. Safe to run from many workers at once (rows are locked,
    skip-locked).
    """
    now = timezone.now()
    touched = 0
    for job_id in TranscriptionJob.objects.lease_expired(now).values_list("pk", flat=True)[:100]:
        with transaction.atomic():
            job = (
                TranscriptionJob.objects.select_for_update(skip_locked=True)
                .lease_expired(now)
                .filter(pk=job_id)
                .first()
            )
            if job is None:
                continue
            story = Story.objects.select_for_update().get(pk=job.story_id)
            story_event_record(
                story_id=story.pk, action="transcription.worker_lost", worker=job.worker
            )
            if story.is_withdrawn:
                _finish(job, JobState.CANCELLED, "The story was withdrawn.")
            elif job.attempts >= max_attempts():
                _retry_or_fail(
                    job,
                    story,
                    f"The transcription worker stopped {job.attempts} times while working on "
                    "this recording (it may need more memory than the worker has). A curator "
                    "can re-run it, or import a transcript instead.",
                    permanent=True,
                )
            else:
                job.state = JobState.QUEUED
                job.run_after = now
                job.claim = None
                job.lease_expires_at = None
                job.last_error = "The worker transcribing this story stopped; trying again."
                job.save()
            touched += 1
    return touched


# ---------------------------------------------------------------------------------- import


def transcript_import(
    *, story: Story, data: bytes | str, filename: str, actor: Actor
) -> Transcript:
    """Use an existing transcript (WebVTT, SRT, plain text or JSON) as the story's segments.

    Malformed files raise ``TranscriptFormatError`` naming the line; nothing is written. A
    queued or running transcription of the story is cancelled: the import replaces it.
    """
    fmt = detect_format(filename, data)
    cues = parse(fmt, data)
    untimed = all(c.start is None for c in cues)
    timed = cues_to_segments(cues, duration=story.media_duration)
    note = f"Imported from {Path(filename).name or 'a file'} ({fmt})."
    if untimed:
        note += " Its lines had no times; they were spread over the recording by length."
    return transcript_import_segments(
        story=story,
        segments=[(s.start, s.end, s.text) for s in timed],
        fmt=fmt,
        note=note,
        actor=actor,
    )


def transcript_import_segments(
    *,
    story: Story,
    segments: list[tuple[float, float, str]],
    fmt: str,
    note: str,
    actor: Actor,
) -> Transcript:
    """Write already-timed passages (start, end, text) as the story's imported transcript.

    The rules of every import: refused for a withdrawn story or an approved transcript; a
    queued or running transcription is cancelled; the storyteller reviews what was imported.
    """
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.is_withdrawn:
            raise JobRefused("This story was withdrawn: it cannot take a transcript.")
        if story.status not in REWRITABLE:
            raise JobRefused(
                f"This story is {story.get_status_display().lower()}: its transcript was "
                "approved. Move it back to review before importing another."
            )
        job = TranscriptionJob.objects.select_for_update().filter(story=story).first()
        if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
            _finish(job, JobState.CANCELLED, "Replaced by an imported transcript.")
        transcript = transcript_replace(
            story=story,
            segments=[(start, end, text, None, None) for start, end, text in segments],
            engine="import",
            model_name=fmt,
            language=story.language,
            language_probability=None,
            duration=story.media_duration,
            note=note,
        )
        if story.status in (StoryStatus.DRAFT, StoryStatus.UPLOADED, StoryStatus.TRANSCRIBING):
            story_transition(story=story, target=StoryStatus.AWAITING_REVIEW, actor=actor)
        story_event_record(
            story_id=story.pk,
            action="transcript.imported",
            actor=actor,
            format=fmt,
            segments=len(segments),
        )
        story_changed(story_ids=[story.pk])
    return transcript
