"""Transcription jobs: queued with the upload, claimed once, retried, failed clearly, re-run.

The job table is the queue: workers take the oldest due job, and a job taken back from a dead
worker keeps its place ahead of the jobs queued after it."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from archive.worker import run_jobs_until_stopped
from stories import services as story_services
from stories.models import Story, StoryEvent, StoryStatus, Transcript
from tests.transcribe_helpers import story_with_media
from transcribe import services, synth
from transcribe.engines import Segment, TranscriptionResult
from transcribe.models import JobState, TranscriptionJob
from transcribe.wer import word_error_rate

pytestmark = pytest.mark.django_db

TEXT = synth.ENGLISH[3]


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak(TEXT, tmp_path_factory.mktemp("jobs") / "story.wav")


@pytest.fixture
def story(storyteller, recording) -> Story:
    return story_with_media(storyteller, recording)


def job_of(story: Story) -> TranscriptionJob:
    return TranscriptionJob.objects.get(story=story)


def actions(story: Story) -> list[str]:
    return list(
        StoryEvent.objects.filter(story_id=story.pk, action__startswith="transcription.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def result_of(*texts: str) -> TranscriptionResult:
    segments = tuple(Segment(i * 2.0, i * 2.0 + 1.5, t, 0.9) for i, t in enumerate(texts))
    return TranscriptionResult(segments, "en", 1.0, 10.0, "faster-whisper", "tiny.en")


class BrokenEngine:
    name, model_name = "faster-whisper", "tiny.en"

    def transcribe(self, audio, *, language=None, progress=None):
        raise RuntimeError("CUDA out of memory")


def expire_lease(job: TranscriptionJob) -> None:
    """What a worker that died leaves behind: its lease runs out."""
    TranscriptionJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_the_job_commits_with_the_upload_and_is_due_at_once(story):
    job = job_of(story)
    assert (job.state, job.attempts, job.generation) == (JobState.QUEUED, 0, 1)
    assert job.queued_at <= timezone.now() and job.run_after <= timezone.now()
    claim = services.job_claim_next(worker="a:1")
    assert claim is not None and (claim.job_id, claim.story_id) == (job.pk, story.pk)
    assert services.job_claim_next(worker="b:2") is None  # nothing else is due


def test_an_upload_that_rolls_back_leaves_no_job(storyteller, recording):
    with pytest.raises(RuntimeError), transaction.atomic():
        story_with_media(storyteller, recording, title="Never stored")
        raise RuntimeError("the upload failed after queuing")
    assert not TranscriptionJob.objects.exists()
    assert services.job_claim_next(worker="a:1") is None


@pytest.mark.whisper
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the heartbeat's own connection
def test_a_worker_writes_the_transcript_once_and_the_story_awaits_review(story, settings):
    settings.TRANSCRIBE_LEASE_SECONDS = 1  # beats every 0.33 s while the model works
    assert services.transcription_run(job_id=job_of(story).pk, worker="test:1") == "done"

    job = job_of(story)
    assert (job.state, job.progress, job.attempts, job.claim) == (JobState.DONE, 1.0, 1, None)
    assert job.heartbeat_at > job.started_at  # the lease was renewed while it worked
    transcript = Transcript.objects.get(story=story)
    segments = list(transcript.segments.all())
    assert [s.index for s in segments] == list(range(len(segments)))
    assert word_error_rate(TEXT, " ".join(s.text for s in segments)) < 0.2
    assert (transcript.engine, transcript.model_name, transcript.language) == (
        "faster-whisper",
        "tiny.en",
        "en",
    )
    assert (
        segments[0].words and {"start", "end", "text", "probability"} <= segments[0].words[0].keys()
    )
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_REVIEW
    assert actions(story) == ["transcription.queued", "transcription.started", "transcription.done"]
    assert services.transcription_progress(story_ids=[story.pk]) == {story.pk: (100, "")}


def test_a_second_worker_cannot_claim_a_job_whose_lease_holds(story):
    job = job_of(story)
    first = services.job_claim(job_id=job.pk, worker="a:1")
    assert first is not None
    assert services.job_claim(job_id=job.pk, worker="b:2") is None  # 0 rows changed
    story.refresh_from_db()
    assert story.status == StoryStatus.TRANSCRIBING


def test_after_the_lease_expires_only_the_new_holder_can_write(story):
    job = job_of(story)
    stale = services.job_claim(job_id=job.pk, worker="a:1")
    TranscriptionJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    fresh = services.job_claim(job_id=job.pk, worker="b:2")
    assert fresh is not None and fresh.attempt == 2

    assert services.job_heartbeat(claim=stale, progress=0.5) is False
    assert services.transcript_store(claim=stale, result=result_of("stale words")) is None
    assert services.transcript_store(claim=fresh, result=result_of("One.", "Two.")) is not None
    assert services.transcript_store(claim=fresh, result=result_of("again")) is None
    transcript = Transcript.objects.get(story=story)
    assert [s.text for s in transcript.segments.all()] == ["One.", "Two."]


def test_heartbeat_renews_the_lease_and_stores_progress(story):
    claim = services.job_claim(job_id=job_of(story).pk, worker="a:1")
    before = job_of(story).lease_expires_at
    assert services.job_heartbeat(claim=claim, progress=0.42)
    job = job_of(story)
    assert job.progress == 0.42 and job.lease_expires_at >= before
    assert job.percent == 42 and "42%" in job.status_line
    assert services.transcription_progress(story_ids=[story.pk]) == {story.pk: (42, "")}


def test_failures_are_retried_with_backoff_then_fail_with_the_reason(story, monkeypatch, settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 2
    settings.TRANSCRIBE_RETRY_SECONDS = 30
    monkeypatch.setattr(services, "_engine", lambda config: BrokenEngine())
    job = job_of(story)

    assert services.transcription_run(job_id=job.pk, worker="a:1") == "retry"
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)
    assert "CUDA out of memory" in job.last_error
    assert job.run_after > timezone.now() + datetime.timedelta(seconds=25)
    assert services.transcription_run(job_id=job.pk, worker="a:1") == "skipped"  # not due yet
    assert services.job_claim_next(worker="a:1") is None

    TranscriptionJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert services.transcription_run(job_id=job.pk, worker="a:1") == "retry"
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "gave up after 2 attempts" in job.last_error
    story.refresh_from_db()
    assert story.status == StoryStatus.UPLOADED  # waits for a curator's re-run
    assert actions(story)[-1] == "transcription.failed"
    percent, problem = services.transcription_progress(story_ids=[story.pk])[story.pk]
    assert percent is None and "CUDA out of memory" in problem


def test_a_file_that_is_not_media_fails_at_once_with_a_clear_reason(storyteller, tmp_path):
    fake = tmp_path / "voice-note.mp3"
    fake.write_text("This is a shopping list, not a recording.\n" * 10)
    story = story_with_media(storyteller, fake)
    assert services.transcription_run(job_id=job_of(story).pk, worker="a:1") == "failed"
    job = job_of(story)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert "is not an audio or video file" in job.last_error
    assert "Upload a recording" in job.last_error
    assert not Transcript.objects.filter(story=story).exists()


def test_a_curator_can_re_run_a_failed_job(story, curator, monkeypatch, settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 1
    monkeypatch.setattr(services, "_engine", lambda config: BrokenEngine())
    services.transcription_run(job_id=job_of(story).pk, worker="a:1")
    assert job_of(story).state == JobState.FAILED

    job = services.transcription_rerun(story=story, actor=curator)
    assert (job.state, job.attempts, job.generation, job.last_error) == (JobState.QUEUED, 0, 2, "")
    assert job.requested_by == curator
    claim = services.job_claim_next(worker="b:2")
    assert claim is not None and claim.job_id == job.pk  # due again at once
    assert "transcription.rerun" in actions(story)


def test_re_run_is_refused_for_approved_or_withdrawn_stories(story, curator):
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.APPROVED)
    with pytest.raises(services.JobRefused, match="approved the transcript"):
        services.transcription_rerun(story=story, actor=curator)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.UPLOADED)
    story_services.consent_withdraw(story=story, actor=story.storyteller)
    with pytest.raises(services.JobRefused, match="withdrawn"):
        services.transcription_rerun(story=story, actor=curator)


def test_re_run_is_refused_while_a_worker_holds_the_job(story, curator):
    services.job_claim(job_id=job_of(story).pk, worker="a:1")
    with pytest.raises(services.JobRefused, match="being transcribed right now"):
        services.transcription_rerun(story=story, actor=curator)


def test_new_media_supersedes_a_running_job(story, storyteller):
    old = services.job_claim(job_id=job_of(story).pk, worker="a:1")
    services.transcription_enqueue(story=story, actor=storyteller)  # media replaced
    assert services.job_heartbeat(claim=old, progress=0.9) is False
    assert services.transcript_store(claim=old, result=result_of("old recording")) is None
    assert job_of(story).state == JobState.QUEUED and job_of(story).generation == 2


def test_a_story_withdrawn_mid_job_gets_no_transcript(story):
    claim = services.job_claim(job_id=job_of(story).pk, worker="a:1")
    story_services.consent_withdraw(story=story, actor=story.storyteller)
    assert services.transcript_store(claim=claim, result=result_of("words")) is None
    assert job_of(story).state == JobState.CANCELLED
    assert not Transcript.objects.filter(story=story).exists()


def test_expired_leases_are_queued_again_keeping_their_place(story):
    job = job_of(story)
    services.job_claim(job_id=job.pk, worker="dead:99")
    expire_lease(job)

    assert services.jobs_requeue_expired() == 1

    requeued = job_of(story)
    assert (requeued.state, requeued.claim, requeued.attempts) == (JobState.QUEUED, None, 1)
    assert requeued.queued_at == job.queued_at  # not the back of the queue
    assert "stopped" in requeued.last_error
    assert actions(story).count("transcription.worker_lost") == 1
    assert services.jobs_requeue_expired() == 0  # nothing more to do
    claim = services.job_claim_next(worker="alive:1")
    assert claim is not None and claim.attempt == 2


def test_a_job_whose_worker_keeps_dying_fails_with_the_reason(story, settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 2
    job = job_of(story)
    services.job_claim(job_id=job.pk, worker="dead:1")
    expire_lease(job)
    assert services.job_claim_next(worker="dead:2") is not None  # taken back: attempt 2
    expire_lease(job)
    assert services.job_claim_next(worker="alive:3") is None  # no attempt left to give
    assert services.jobs_requeue_expired() == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "stopped 2 times" in job.last_error


# ------------------------------------------------------------------------ the queue's order


class QuickEngine:
    """Reports progress once, as the real engines do per segment, and returns two segments."""

    name, model_name = "faster-whisper", "tiny.en"

    def __init__(self, *, during=None, after=None) -> None:
        self.during = during or (lambda: None)  # before the progress report
        self.after = after or (lambda: None)  # once the last report is made

    def transcribe(self, audio, *, language=None, progress=None):
        self.during()
        if progress is not None:
            progress(0.5)
        self.after()
        return result_of("One.", "Two.")


@pytest.mark.parametrize("upkeep_first", [False, True], ids=["taken-back", "requeued-by-upkeep"])
def test_a_recovered_job_is_claimed_before_jobs_queued_after_it(
    storyteller, recording, upkeep_first
):
    first = story_with_media(storyteller, recording, title="Queued first")
    assert services.job_claim_next(worker="doomed:1").story_id == first.pk
    newer = [story_with_media(storyteller, recording, title=f"Queued later {n}") for n in (1, 2)]
    expire_lease(job_of(first))  # the worker died mid-job
    if upkeep_first:  # the upkeep step noticed before any worker was free
        assert services.jobs_requeue_expired() == 1
        requeued = job_of(first)
        assert requeued.state == JobState.QUEUED
        assert all(requeued.run_after > job_of(s).run_after for s in newer)

    taken = [services.job_claim_next(worker="rescuer:2") for _ in range(3)]

    assert [c.story_id for c in taken] == [first.pk, newer[0].pk, newer[1].pk]
    assert taken[0].attempt == 2
    assert actions(first).count("transcription.worker_lost") == 1
    assert services.job_claim_next(worker="rescuer:2") is None


def test_a_retried_job_waits_its_backoff_then_goes_ahead_of_newer_jobs(
    storyteller, recording, monkeypatch
):
    monkeypatch.setattr(services, "_engine", lambda config: BrokenEngine())
    first = story_with_media(storyteller, recording, title="Queued first")
    assert services.transcription_run_next(worker="a:1") == "retry"
    second = story_with_media(storyteller, recording, title="Queued second")
    assert services.job_claim_next(worker="a:1").story_id == second.pk  # first is backing off
    third = story_with_media(storyteller, recording, title="Queued third")

    TranscriptionJob.objects.filter(story=first).update(run_after=timezone.now())  # now due
    assert services.job_claim_next(worker="a:1").story_id == first.pk
    assert services.job_claim_next(worker="a:1").story_id == third.pk


def test_a_new_generation_goes_to_the_back_of_the_queue(story, storyteller, recording):
    later = story_with_media(storyteller, recording, title="Queued later")
    services.transcription_enqueue(story=story, actor=storyteller)  # new media for the first
    assert [services.job_claim_next(worker="a:1").story_id for _ in range(2)] == [
        later.pk,
        story.pk,
    ]


def test_a_withdrawn_story_is_cancelled_when_reached_and_the_next_job_is_taken(
    story, storyteller, recording
):
    later = story_with_media(storyteller, recording, title="Queued later")
    story_services.consent_withdraw(story=story, actor=storyteller)
    claim = services.job_claim_next(worker="a:1")
    assert claim is not None and claim.story_id == later.pk
    assert job_of(story).state == JobState.CANCELLED
    assert not Transcript.objects.filter(story=story).exists()


def test_a_stopping_worker_gives_its_job_back_at_its_place(story, storyteller, recording):
    later = story_with_media(storyteller, recording, title="Queued later")
    claim = services.job_claim_next(worker="leaving:1")
    assert claim.story_id == story.pk
    assert services.job_release(claim=claim)
    job = job_of(story)
    assert (job.state, job.attempts, job.claim, job.progress) == (JobState.QUEUED, 0, None, 0.0)
    assert job.run_after <= timezone.now()
    assert services.job_release(claim=claim) is False  # released once
    assert services.job_heartbeat(claim=claim, progress=0.3) is False
    assert actions(story)[-1] == "transcription.released"
    assert services.job_claim_next(worker="staying:2").story_id == story.pk  # before `later`
    assert services.job_claim_next(worker="staying:2").story_id == later.pk


def test_a_stop_signal_mid_transcription_releases_the_job_and_writes_nothing(story, monkeypatch):
    stopping = threading.Event()
    monkeypatch.setattr(services, "_engine", lambda config: QuickEngine(during=stopping.set))
    assert services.transcription_run_next(worker="leaving:1", stopping=stopping) == "released"
    job = job_of(story)
    assert (job.state, job.attempts) == (JobState.QUEUED, 0)
    assert not Transcript.objects.filter(story=story).exists()

    assert services.transcription_run_next(worker="staying:2") == "done"
    transcript = Transcript.objects.get(story=story)
    assert [s.text for s in transcript.segments.all()] == ["One.", "Two."]
    assert job_of(story).attempts == 1  # the interrupted attempt did not count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_loop_releases_its_job_and_ends_when_told_to_stop(story, monkeypatch):
    stop = threading.Event()
    monkeypatch.setattr(services, "_engine", lambda config: QuickEngine(during=stop.set))
    assert run_jobs_until_stopped(stop, worker="loop:1", interval=0.05) == 1
    job = job_of(story)
    assert (job.state, job.attempts) == (JobState.QUEUED, 0)
    assert actions(story)[-1] == "transcription.released"

    # Told to stop once the engine is past its last progress report: the job is finished.
    done = threading.Event()
    monkeypatch.setattr(services, "_engine", lambda config: QuickEngine(after=done.set))
    assert run_jobs_until_stopped(done, worker="loop:2", interval=0.05) == 1
    assert job_of(story).state == JobState.DONE
    assert Transcript.objects.filter(story=story).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_on_postgresql_skip_a_job_another_worker_has_locked(storyteller, recording):
    assert connection.vendor == "postgresql"  # the suite's database; SQLite has no row locks
    first = story_with_media(storyteller, recording, title="Queued first")
    second = story_with_media(storyteller, recording, title="Queued second")
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                TranscriptionJob.objects.select_for_update().get(story=first)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=other_worker)
    holder.start()
    try:
        assert locked.wait(30)
        claim = services.job_claim_next(worker="b:2")  # does not wait for the lock
        assert claim is not None and claim.story_id == second.pk
    finally:
        release.set()
        holder.join(timeout=30)
    assert services.job_claim_next(worker="b:2").story_id == first.pk


def test_an_upload_cut_short_is_noted_on_its_transcript(story, monkeypatch):
    # The upload said 30 s; what decoded (and was kept, rebuilt) lasts 10 s.
    Story.objects.filter(pk=story.pk).update(media_duration=30.0)
    monkeypatch.setattr(services, "_engine", lambda config: QuickEngine())
    assert services.transcription_run(job_id=job_of(story).pk, worker="test:1") == "done"
    note = Transcript.objects.get(story=story).note
    assert "seems cut short" in note and "0:30" in note and "upload it again" in note


def test_a_whole_upload_has_no_cut_short_note(story, monkeypatch):
    Story.objects.filter(pk=story.pk).update(media_duration=10.2)
    monkeypatch.setattr(services, "_engine", lambda config: QuickEngine())
    assert services.transcription_run(job_id=job_of(story).pk, worker="test:1") == "done"
    assert "cut short" not in Transcript.objects.get(story=story).note
