"""Transcription jobs: queued with the upload, claimed once, retried, failed clearly, re-run."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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


def test_the_job_and_its_task_row_commit_with_the_upload(story):
    job = job_of(story)
    assert (job.state, job.attempts, job.generation) == (JobState.QUEUED, 0, 1)
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path == "transcribe.tasks.transcribe_story"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert task.status == "READY"


def test_an_upload_that_rolls_back_leaves_no_job_and_no_task(storyteller, recording):
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        story_with_media(storyteller, recording, title="Never stored")
        raise RuntimeError("the upload failed after queuing")
    assert not TranscriptionJob.objects.exists()
    assert DBTaskResult.objects.count() == before


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
    retry_task = DBTaskResult.objects.get(id=job.task_id)
    assert retry_task.run_after == job.run_after and retry_task.status == "READY"
    assert services.transcription_run(job_id=job.pk, worker="a:1") == "skipped"  # not due yet

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
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
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


def test_expired_leases_are_queued_again_and_the_dead_task_is_marked(story):
    job = job_of(story)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=timezone.now())
    services.job_claim(job_id=job.pk, worker="dead:99")
    TranscriptionJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    dead_task = job.task_id

    assert services.jobs_requeue_expired() == 1

    job.refresh_from_db()
    assert (job.state, job.claim, job.attempts) == (JobState.QUEUED, None, 1)
    assert "stopped" in job.last_error
    old = DBTaskResult.objects.get(id=dead_task)
    assert old.status == "FAILED" and old.exception_class_path.endswith("WorkerLost")
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    assert "transcription.worker_lost" in actions(story)
    assert services.jobs_requeue_expired() == 0  # nothing more to do


def test_a_job_whose_worker_keeps_dying_fails_with_the_reason(story, settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 2
    job = job_of(story)
    for _ in range(2):
        services.job_claim(job_id=job.pk, worker="dead:99")
        TranscriptionJob.objects.filter(pk=job.pk).update(
            lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        services.jobs_requeue_expired()
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "stopped 2 times" in job.last_error


def test_a_queued_job_whose_task_vanished_gets_a_new_task(story, settings):
    settings.TRANSCRIBE_LEASE_SECONDS = 1
    job = job_of(story)
    DBTaskResult.objects.filter(id=job.task_id).delete()
    TranscriptionJob.objects.filter(pk=job.pk).update(
        run_after=timezone.now() - datetime.timedelta(seconds=5)
    )
    assert services.jobs_requeue_expired() == 1
    job.refresh_from_db()
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
