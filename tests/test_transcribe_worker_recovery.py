"""Real worker processes: a worker SIGKILLed mid-job is recovered; one told to stop gives its
job back; two never share a story."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from stories.models import StoryEvent, StoryStatus, Transcript
from tests.transcribe_helpers import story_with_media
from transcribe import synth
from transcribe.models import JobState, TranscriptionJob
from transcribe.wer import word_error_rate

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.whisper,
]

ROOT = Path(__file__).resolve().parent.parent
TEXT = " ".join(synth.ENGLISH)


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    parts = [synth.speak(text, folder / f"part{i}.wav") for i, text in enumerate(synth.ENGLISH)]
    return synth.concatenate(parts, folder / "story.wav")


@pytest.fixture(scope="module")
def short_recording(tmp_path_factory) -> Path:
    return synth.speak(synth.ENGLISH[0], tmp_path_factory.mktemp("short") / "story.wav")


@pytest.fixture
def workers(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `manage.py archive_worker` processes on the test database; all stopped at the end."""
    db = django_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    started: list[subprocess.Popen] = []

    def start(name: str, **env: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "archive_worker", "--interval", "0.2",
             "--upkeep-interval", "0.5", "--worker-id", name],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "archive.settings.test",
                "DATABASE_URL": url,
                "TRANSCRIBE_LEASE_SECONDS": "2",
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        process.log = log  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.log.close()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, logs: Path) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs.glob("*.log"))
    raise AssertionError(f"Timed out waiting for {what}.\n{output}")


def events(story, action: str) -> list[StoryEvent]:
    return list(StoryEvent.objects.filter(story_id=story.pk, action=action).order_by("id"))


def test_a_worker_killed_mid_job_is_recovered_and_the_transcript_is_written_once(
    storyteller, long_recording, workers, tmp_path
):
    story = story_with_media(storyteller, long_recording)
    job = TranscriptionJob.objects.get(story=story)

    doomed = workers("doomed", TRANSCRIBE_CPU_THREADS="1")
    wait_for(
        lambda: TranscriptionJob.objects.filter(
            pk=job.pk, state=JobState.RUNNING, progress__gt=0
        ).exists(),
        timeout=120,
        what="the first worker to be part-way through the recording",
        logs=tmp_path,
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()

    job.refresh_from_db()
    assert job.state == JobState.RUNNING and 0 < job.progress < 1  # killed mid-job
    assert not Transcript.objects.filter(story=story).exists()  # nothing half-written

    workers("rescuer")
    wait_for(
        lambda: TranscriptionJob.objects.filter(pk=job.pk, state=JobState.DONE).exists(),
        timeout=240,
        what="the second worker to finish the job",
        logs=tmp_path,
    )

    job.refresh_from_db()
    assert job.attempts == 2 and job.progress == 1.0
    assert Transcript.objects.filter(story=story).count() == 1
    segments = list(Transcript.objects.get(story=story).segments.all())
    assert [s.index for s in segments] == list(range(len(segments)))
    assert all(a.end <= b.start for a, b in itertools.pairwise(segments))
    assert word_error_rate(TEXT, " ".join(s.text for s in segments)) < 0.2
    started_by = [e.data["worker"] for e in events(story, "transcription.started")]
    assert len(started_by) == 2 and started_by[0] != started_by[1]  # two processes
    assert len(events(story, "transcription.worker_lost")) == 1
    assert len(events(story, "transcription.done")) == 1
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_REVIEW


def test_a_worker_told_to_stop_gives_its_job_back_and_exits(
    storyteller, long_recording, workers, tmp_path
):
    story = story_with_media(storyteller, long_recording)
    job = TranscriptionJob.objects.get(story=story)
    leaving = workers("leaving", TRANSCRIBE_CPU_THREADS="1", TRANSCRIBE_LEASE_SECONDS="60")
    # Told to stop as soon as it holds the job: on an idle machine the whole recording takes only
    # seconds, so waiting for a stored progress figure (a heartbeat every few seconds) could miss
    # the moment. The worker gives the job back at the engine's next progress report.
    wait_for(
        lambda: TranscriptionJob.objects.filter(pk=job.pk, state=JobState.RUNNING).exists(),
        timeout=120,
        what="the worker to take the job",
        logs=tmp_path,
    )
    leaving.send_signal(signal.SIGTERM)
    assert leaving.wait(timeout=60) == 0  # a clean exit, well before the 60 s lease ran out

    job.refresh_from_db()
    assert (job.state, job.attempts, job.claim, job.progress) == (JobState.QUEUED, 0, None, 0.0)
    assert len(events(story, "transcription.released")) == 1
    assert not events(story, "transcription.worker_lost")
    assert not Transcript.objects.filter(story=story).exists()


def test_two_workers_never_transcribe_the_same_story_at_once(
    storyteller, short_recording, workers, tmp_path
):
    stories = [story_with_media(storyteller, short_recording, title=f"Story {n}") for n in range(4)]
    jobs = [TranscriptionJob.objects.get(story=s) for s in stories]

    workers("left")
    workers("right")
    wait_for(
        lambda: (
            TranscriptionJob.objects.filter(
                pk__in=[j.pk for j in jobs], state=JobState.DONE
            ).count()
            == len(jobs)
        ),
        timeout=300,
        what="all four jobs to finish",
        logs=tmp_path,
    )

    taken_by = set()
    for story, job in zip(stories, jobs, strict=True):
        job.refresh_from_db()
        assert (job.state, job.attempts) == (JobState.DONE, 1)
        started = events(story, "transcription.started")
        assert len(started) == 1  # one claim per story
        taken_by.add(started[0].data["worker"])
        assert len(events(story, "transcription.done")) == 1
        assert Transcript.objects.filter(story=story).count() == 1
    assert taken_by <= {"left", "right"}
