"""`manage.py archive_worker` makes redacted recordings by itself: nothing queues them, and a job
left by a worker that died (its lease run out) is taken again and finished."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from stories.models import RedactedMedia, RenditionState, StoryEvent
from stories.redactions import redaction_add
from tests import test_transcribe_worker_recovery as recovery
from tests.test_redaction_rendition import published, spread_result
from transcribe import synth
from transcribe.models import JobState, RenditionJob
from transcribe.renditions import renditions_queue_due

workers = recovery.workers  # the fixture that starts `manage.py archive_worker` processes
wait_for = recovery.wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.whisper,
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak(synth.ENGLISH[0], tmp_path_factory.mktemp("worker") / "story.wav")


def test_the_worker_takes_a_rendition_left_by_a_dead_worker_and_finishes_it(
    make_story,
    storyteller,
    recording,
    workers,
    tmp_path,
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    renditions_queue_due()
    # A worker claimed it and died: its lease ran out with the job still running.
    RenditionJob.objects.filter(story=story).update(
        state=JobState.RUNNING,
        claim=uuid.uuid4(),
        worker="dead:1",
        attempts=1,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=5),
    )
    workers("survivor")
    wait_for(
        lambda: RedactedMedia.objects.filter(story=story, state=RenditionState.READY).exists(),
        timeout=120,
        what="the worker to make the redacted recording",
        logs=tmp_path,
    )
    job = RenditionJob.objects.get(story=story)
    assert job.state == JobState.DONE and job.worker == "survivor" and job.attempts == 2
    actions = set(StoryEvent.objects.filter(story_id=story.pk).values_list("action", flat=True))
    assert {"rendition.worker_lost", "rendition.ready"} <= actions
    assert RedactedMedia.objects.get(story=story).current
