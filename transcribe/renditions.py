"""The redacted recording: made by a background job, then checked by listening to it again.

Nobody queues the work: ``stories.redactions`` bumps a ``RedactedMedia``'s generation (and
lists the spans to silence) with each redaction, and the worker finds the redacted recordings
waiting for a rendition of their current generation (``renditions_queue_due``). Each gets a
``RenditionJob`` run like a transcription (``transcribe.services``): claimed with a token and a
lease, the lease renewed by a heartbeat with the progress, retried with backoff, taken again
once its worker stops renewing (``renditions_requeue_expired``, an upkeep step).

1. Render (``transcribe.media.silence_spans``): the story's sound decoded, the samples in each
   span set to silence, encoded again into a file of the same kind, the same length; a video's
   picture is copied untouched. Saved under the story's derived folder (withdrawal deletes it).
2. Listen (``listen``): the rendition's sound over each span, with a little context either
   side, is transcribed by the archive's engine; a redacted word heard inside a span, or sound
   above ``RMS_FLOOR`` in it, fails the check.
3. Store (``rendition_store``), only while the claim holds and only if the redactions are still
   the ones rendered (else the job is queued again for the new generation). A pass makes the
   rendition READY (served to everyone but the storyteller); a failure keeps it FAILED: the
   recording stays unavailable (503), a published story goes back to approved, and curators
   find it on their desk (``renditions_needing_attention``).
"""

from __future__ import annotations

import datetime
import logging
import math
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import RedactedMedia, Redaction, RenditionState, Story, StoryStatus
from stories.services import story_transition
from stories.storage import derived_prefix, story_storage
from stories.types import Actor
from transcribe.engines import Engine, Segment
from transcribe.errors import MediaError
from transcribe.media import SAMPLE_RATE, decode_audio, silence_spans
from transcribe.models import JobState, RenditionJob
from transcribe.services import (
    Claim,
    ClaimLost,
    Heartbeat,
    WorkerStopping,
    _finish,
    lease_seconds,
    loaded_engine,
    local_copy,
    max_attempts,
    retry_delay,
    worker_name,
)

logger = logging.getLogger(__name__)

# Sound left in a silenced span above this RMS (of full scale, about -46 dBFS) fails the check:
# digital silence decodes to 0, lossy codecs leave a trace far below it.
RMS_FLOOR = 0.005
# Codecs smear a few milliseconds of the sound either side into a span's edges; the RMS is
# measured inside them (the guard band keeps the words themselves well inside).
EDGE_SECONDS = 0.03
# The check listens to this much of the recording either side of a span: the model hears
# words better in a sentence than cut out alone.
CONTEXT_SECONDS = 1.5
# A word the model places this close to a span counts as heard in it (its timings are rough).
WORD_SLACK = 0.05
# Shares of the job's progress: rendering, then listening.
RENDER_SHARE = 0.5


@dataclass(frozen=True)
class RenditionClaim(Claim):
    """A claim on a rendition job, for the generation of the redactions it renders."""

    generation: int = 0


@dataclass(frozen=True)
class Verdict:
    heard: tuple[str, ...]  # redacted words the check still heard inside a span
    loudest: float  # the highest RMS inside a span (0 to 1 of full scale)

    @property
    def passed(self) -> bool:
        return not self.heard and self.loudest < RMS_FLOOR


# ---------------------------------------------------------------------------------- queue


def renditions_queue_due() -> int:
    """Queue a rendition job for each redacted recording waiting for one (its current
    generation not yet rendered, and no job for that generation). Returns how many."""
    due = (
        RedactedMedia.objects.filter(
            Q(state=RenditionState.PENDING) | Q(rendered_generation__lt=F("generation"))
        )
        .exclude(story__rendition_job__generation=F("generation"))
        .values_list("pk", flat=True)[:100]
    )
    queued = 0
    for media_id in due:
        with transaction.atomic():
            media = RedactedMedia.objects.select_for_update().filter(pk=media_id).first()
            if media is None or media.state != RenditionState.PENDING:
                continue
            _enqueue(media.story_id, media.generation)
            queued += 1
    return queued


def _enqueue(story_id: int, generation: int) -> RenditionJob:
    """(Re)queue the story's rendition job for ``generation``, at the back of the queue; a
    worker still busy with an older generation loses its claim."""
    now = timezone.now()
    job, _ = RenditionJob.objects.select_for_update().get_or_create(
        story_id=story_id, defaults={"run_after": now}
    )
    if job.generation == generation and job.state in (JobState.QUEUED, JobState.RUNNING):
        return job
    job.state = JobState.QUEUED
    job.generation = generation
    job.progress = 0.0
    job.attempts = 0
    job.run_after = now
    job.queued_at = now
    job.claim = None
    job.worker = ""
    job.lease_expires_at = None
    job.heartbeat_at = None
    job.last_error = ""
    job.started_at = None
    job.finished_at = None
    job.save()
    story_event_record(story_id=story_id, action="rendition.queued", generation=generation)
    return job


def rendition_claim(*, job_id: int, worker: str) -> RenditionClaim | None:
    """Take the job for ``worker`` with one conditional UPDATE; None if it is not claimable."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        before = RenditionJob.objects.select_for_update().filter(pk=job_id).values("state").first()
        taken = (
            RenditionJob.objects.claimable(now)
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
            return None
        job = RenditionJob.objects.select_related("story").get(pk=job_id)
        story = job.story
        if before is not None and before["state"] == JobState.RUNNING:
            story_event_record(story_id=story.pk, action="rendition.worker_lost")
        if story.is_withdrawn or not story.media:
            _finish(job, JobState.CANCELLED, "The story was withdrawn or its recording removed.")
            return None
        if not RedactedMedia.objects.filter(story=story).exists():
            _finish(job, JobState.CANCELLED, "Every redaction was undone: nothing to render.")
            return None
        story_event_record(story_id=story.pk, action="rendition.started", attempt=job.attempts)
    return RenditionClaim(job.pk, story.pk, token, job.attempts, worker, job.generation)


def rendition_claim_next(*, worker: str) -> RenditionClaim | None:
    """Take the next due rendition job (oldest first); None when none is due."""
    for _ in range(20):
        with transaction.atomic():
            job_id = (
                RenditionJob.objects.claimable(timezone.now())
                .filter(attempts__lt=max_attempts())
                .in_queue_order()
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
                .first()
            )
            if job_id is None:
                return None
            claim = rendition_claim(job_id=job_id, worker=worker)
        if claim is not None:
            return claim
    return None


def rendition_heartbeat(*, claim: Claim, progress: float) -> bool:
    """Renew the lease and store the progress; False when the claim no longer holds."""
    return RenditionJob.objects.renew(
        claim.job_id,
        claim.token,
        lease=datetime.timedelta(seconds=lease_seconds()),
        progress=progress,
    )


def _held(claim: Claim) -> RenditionJob | None:
    """The job row, locked, if ``claim`` still holds it."""
    return RenditionJob.objects.held(claim.job_id, claim.token)


def rendition_release(*, claim: Claim) -> bool:
    """Give the job back unfinished (the worker is stopping): due at once, attempt not counted."""
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
    return True


def rendition_fail(*, claim: Claim, error: str, permanent: bool) -> None:
    """A failed attempt: retried later with backoff, or failed for good with the reason (the
    recording stays unavailable, and curators see the job on their desk)."""
    with transaction.atomic():
        job = _held(claim)
        if job is None:
            return
        if not permanent and job.attempts < max_attempts():
            job.state = JobState.QUEUED
            job.run_after = timezone.now() + retry_delay(job.attempts)
            job.claim = None
            job.lease_expires_at = None
            job.progress = 0.0
            job.last_error = error
            job.save()
            story_event_record(
                story_id=job.story_id, action="rendition.retry_scheduled", attempt=job.attempts
            )
            return
        if not permanent:
            error = f"{error} (gave up after {job.attempts} attempts)"
        _finish(job, JobState.FAILED, error)
        story_event_record(story_id=job.story_id, action="rendition.failed", error=error[:500])


def renditions_requeue_expired() -> int:
    """Upkeep: queue again the rendition jobs whose worker died; fail those that keep dying."""
    now = timezone.now()
    touched = 0
    for job_id in RenditionJob.objects.lease_expired(now).values_list("pk", flat=True)[:100]:
        with transaction.atomic():
            job = (
                RenditionJob.objects.select_for_update(skip_locked=True)
                .lease_expired(now)
                .filter(pk=job_id)
                .first()
            )
            if job is None:
                continue
            story_event_record(story_id=job.story_id, action="rendition.worker_lost")
            if job.attempts >= max_attempts():
                _finish(
                    job,
                    JobState.FAILED,
                    f"The worker stopped {job.attempts} times while making this redacted "
                    "recording (it may need more memory than the worker has).",
                )
            else:
                job.state = JobState.QUEUED
                job.run_after = now
                job.claim = None
                job.lease_expires_at = None
                job.last_error = "The worker making this recording stopped; trying again."
                job.save()
            touched += 1
    return touched


# -------------------------------------------------------------------------------- running


def rendition_run_next(
    *, worker: str | None = None, stopping: threading.Event | None = None
) -> str | None:
    """Queue what is due, claim the next rendition job and run it; None when none is due."""
    renditions_queue_due()
    claim = rendition_claim_next(worker=worker or worker_name())
    if claim is None:
        return None
    return rendition_run(claim, stopping=stopping)


def rendition_run(claim: RenditionClaim, *, stopping: threading.Event | None = None) -> str:
    """Render, listen, store. Returns ready, failed (words still heard), again (the redactions
    changed meanwhile), lost, released, retry, error or cancelled."""
    media = RedactedMedia.objects.select_related("story").filter(story_id=claim.story_id).first()
    if media is None:  # every redaction undone, or the story withdrawn, since the claim
        with transaction.atomic():
            job = _held(claim)
            if job is not None:
                _finish(job, JobState.CANCELLED, "Nothing is taken out of the story any more.")
        return "cancelled"
    story = media.story
    spans = [list(map(float, span)) for span in media.spans]
    words = " ".join(Redaction.objects.filter(story=story).values_list("words", flat=True))
    suffix = PurePosixPath(story.media.name).suffix.lower() or ".wav"
    try:
        with (
            tempfile.TemporaryDirectory(prefix="rendition-") as folder,
            local_copy(story.media) as source,
            Heartbeat(claim, stopping=stopping, renew=rendition_heartbeat) as beat,
        ):
            made = Path(folder) / f"redacted{suffix}"
            render(source, made, spans, progress=lambda f: beat.progress(RENDER_SHARE * f))
            verdict = listen(
                made,
                spans,
                words,
                language=story.language or None,
                progress=lambda f: beat.progress(RENDER_SHARE + (1 - RENDER_SHARE) * f),
            )
            return rendition_store(claim=claim, made=made, spans=spans, verdict=verdict)
    except ClaimLost:
        return "lost"
    except WorkerStopping:
        return "released" if rendition_release(claim=claim) else "lost"
    except MediaError as exc:  # the recording cannot be decoded: retrying cannot help
        rendition_fail(claim=claim, error=str(exc), permanent=True)
        return "error"
    except Exception as exc:
        logger.exception("Rendering the redacted recording of story %s failed", claim.story_id)
        rendition_fail(claim=claim, error=f"{type(exc).__name__}: {exc}", permanent=False)
        return "retry"


def render(
    source: str | Path,
    made: Path,
    spans: Sequence[Sequence[float]],
    *,
    progress: Callable[[float], None] | None = None,
) -> None:
    """The recording with its spans silenced (a seam, so a test can break it on purpose)."""
    silence_spans(source, made, spans, progress=progress)


# ------------------------------------------------------------------------------ listening


def _tokens(text: str) -> list[str]:
    """Words compared without case or punctuation ("Sarah," is "sarah")."""
    return [t.strip("'") for t in re.sub(r"[^\w']+", " ", text.casefold()).split() if t.strip("'")]


def span_rms(samples: np.ndarray, begin: float, end: float) -> float:
    """RMS of the sound inside [begin, end] seconds, codec edges left out."""
    a = round((begin + EDGE_SECONDS) * SAMPLE_RATE)
    b = round((end - EDGE_SECONDS) * SAMPLE_RATE)
    inside = samples[max(0, a) : max(0, min(len(samples), b))]
    if not len(inside):
        return 0.0
    return float(np.sqrt(np.mean(np.square(inside, dtype=np.float64))))


def _windows(spans: Sequence[Sequence[float]], length: float) -> list[tuple[float, float]]:
    """The stretches to listen to: each span with context either side, overlapping ones merged."""
    windows: list[tuple[float, float]] = []
    for begin, end in sorted((float(a), float(b)) for a, b in spans):
        a, b = max(0.0, begin - CONTEXT_SECONDS), min(length, end + CONTEXT_SECONDS)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], b))
        elif a < b:
            windows.append((a, b))
    return windows


def listen(
    path: str | Path,
    spans: Sequence[Sequence[float]],
    words: str,
    *,
    language: str | None = None,
    engine: Engine | None = None,
    progress: Callable[[float], None] | None = None,
) -> Verdict:
    """Transcribe the rendition around each span and report the redacted ``words`` heard inside
    a span, and the loudest span's RMS."""
    samples = decode_audio(path)
    length = len(samples) / SAMPLE_RATE
    loudest = max((span_rms(samples, float(a), float(b)) for a, b in spans), default=0.0)
    wanted = set(_tokens(words))
    heard: set[str] = set()
    windows = _windows(spans, length)
    if wanted and windows:
        engine = engine or loaded_engine()
        for i, (a, b) in enumerate(windows):
            clip = samples[round(a * SAMPLE_RATE) : round(b * SAMPLE_RATE)]
            result = engine.transcribe(clip, language=language)
            heard |= wanted & set(_heard_in_spans(result.segments, a, spans))
            if progress is not None:
                progress((i + 1) / len(windows))
    return Verdict(heard=tuple(sorted(heard)), loudest=0.0 if math.isnan(loudest) else loudest)


def _heard_in_spans(
    segments: Sequence[Segment], offset: float, spans: Sequence[Sequence[float]]
) -> list[str]:
    """The words of ``segments`` (times from ``offset``) that fall inside a span."""

    def inside(start: float, end: float) -> bool:
        return any(
            start + offset < float(b) + WORD_SLACK and end + offset > float(a) - WORD_SLACK
            for a, b in spans
        )

    found: list[str] = []
    for segment in segments:
        if segment.words:
            for word in segment.words:
                if inside(word.start, word.end):
                    found += _tokens(word.text)
        elif inside(segment.start, segment.end):  # no word timings: the whole line counts
            found += _tokens(segment.text)
    return found


# -------------------------------------------------------------------------------- storing


def rendition_store(
    *, claim: RenditionClaim, made: Path, spans: list[list[float]], verdict: Verdict
) -> str:
    """Keep the rendition and the check's verdict, once, while the claim holds and only if the
    redactions are still those rendered; else queue the job again for the new ones."""
    with transaction.atomic():
        job = _held(claim)
        if job is None:
            return "lost"
        story = Story.objects.select_for_update().get(pk=job.story_id)
        media = RedactedMedia.objects.select_for_update().filter(story=story).first()
        if story.is_withdrawn or media is None:
            _finish(job, JobState.CANCELLED, "The story was withdrawn or its redactions undone.")
            return "cancelled"
        if media.generation != claim.generation or media.spans != spans:
            _enqueue(story.pk, media.generation)
            return "again"
        storage = story_storage()
        with made.open("rb") as handle:
            name = storage.save(
                f"{derived_prefix(story.pk)}redacted-{media.generation}{made.suffix}", File(handle)
            )
        gone = {media.file.name}
        media.file.name = name
        media.rendered_generation = media.generation
        media.heard = ", ".join(verdict.heard)
        if verdict.passed:
            media.state = RenditionState.READY
            media.verified_at = timezone.now()
            if media.original_destroyed:  # the rendition is the only copy
                gone.add(story.media.name)
                story.media.name = name
                story.save(update_fields=["media"])
        else:
            media.state = RenditionState.FAILED
            media.verified_at = None
        media.save()
        _finish(job, JobState.DONE)
        story_event_record(
            story_id=story.pk,
            action="rendition.ready" if verdict.passed else "rendition.check_failed",
            generation=media.generation,
            spans=len(spans),
            words_heard=len(verdict.heard),
            loudest=round(verdict.loudest, 5),
        )
        if not verdict.passed and story.status == StoryStatus.PUBLISHED:
            # Off the public paths until a curator has looked at it.
            story_transition(story=story, target=StoryStatus.APPROVED)
        story_changed(story_ids=[story.pk])
        keep = {name, story.media.name}
        old = sorted(n for n in gone if n and n not in keep)
        transaction.on_commit(lambda: _delete(old))
    return "ready" if verdict.passed else "failed"


def _delete(names: Sequence[str]) -> None:
    storage = story_storage()
    for name in names:
        storage.delete(name)


# ------------------------------------------------------------------------------ progress


def rendition_progress(*, story_ids: Iterable[int]) -> dict[int, tuple[int | None, str]]:
    """(percent done, one sentence) of each story's redacted recording, for pages: percent
    None once it is ready or failed. Stories with nothing taken out are not in the answer."""
    ids = list(story_ids)
    jobs = {j.story_id: j for j in RenditionJob.objects.filter(story_id__in=ids)}
    answer: dict[int, tuple[int | None, str]] = {}
    for media in RedactedMedia.objects.filter(story_id__in=ids):
        job = jobs.get(media.story_id)
        this = job if job is not None and job.generation == media.generation else None
        if media.current:
            answer[media.story_id] = (None, "The redacted recording is ready and was checked.")
        elif media.state == RenditionState.FAILED:
            answer[media.story_id] = (
                None,
                "The check still heard words taken out; a curator will look at it.",
            )
        elif this is not None and this.state == JobState.FAILED:
            answer[media.story_id] = (
                None,
                "Making the redacted recording failed; a curator will look at it.",
            )
        else:
            percent = this.percent if this is not None and this.state == JobState.RUNNING else 0
            answer[media.story_id] = (
                percent,
                f"The redacted recording is being made and checked ({percent}% done).",
            )
    return answer


# ------------------------------------------------------------------------------ attention


class RenditionRefused(Exception):
    """The redacted recording cannot be made again now; the message says why."""


def rendition_retry(*, story: Story, actor: Actor) -> RenditionJob:
    """A curator asks for the redacted recording to be made and checked again: after its job
    failed (a worker ran out of memory, storage was away), or a check they believe was wrong.

    It is made from the redactions as they are; until it passes, nobody but the storyteller
    gets the recording.
    """
    with transaction.atomic():
        media = RedactedMedia.objects.select_for_update().filter(story=story).first()
        if media is None:
            raise RenditionRefused("Nothing was taken out of this story's recording.")
        job = RenditionJob.objects.select_for_update().filter(story=story).first()
        if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
            raise RenditionRefused(
                "The redacted recording is being made right now; its check follows."
            )
        media.state = RenditionState.PENDING
        media.heard = ""
        media.verified_at = None
        media.save(update_fields=["state", "heard", "verified_at", "updated_at"])
        if job is not None:
            job.generation = 0  # so that _enqueue starts it afresh for this generation
            job.save(update_fields=["generation"])
        job = _enqueue(story.pk, media.generation)
        story_event_record(story_id=story.pk, action="rendition.retry", actor=actor)
    return job


def renditions_needing_attention(story_ids: Iterable[int] | None = None) -> list[RedactedMedia]:
    """Redacted recordings a curator should look at: the check still heard words (or sound) in
    them, or their job failed. ``story_ids`` limits them to the stories a curator may see."""
    rows = RedactedMedia.objects.filter(
        Q(state=RenditionState.FAILED)
        | Q(
            state=RenditionState.PENDING,
            story__rendition_job__state=JobState.FAILED,
            story__rendition_job__generation=F("generation"),
        )
    ).select_related("story", "story__rendition_job")
    if story_ids is not None:
        rows = rows.filter(story_id__in=story_ids)
    return list(rows.order_by("-updated_at")[:200])
