"""The worker on the embedded default (SQLite, one worker): it takes queued jobs oldest first
from the job table, runs them, and stops cleanly on SIGTERM.

The rest of the suite runs on PostgreSQL; this runs `manage.py archive_worker` in a fresh process
on a throwaway SQLite database. The stories' "recordings" are not media, so each job fails at
once with its reason, without loading a Whisper model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

QUEUE = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from stories import services
from stories.models import ConsentMethod, StoryKind, StoryStatus
from transcribe.services import transcription_enqueue
teller = get_user_model().objects.create_user("teller", password="a-long-password-1")
for n in range(3):
    with transaction.atomic():
        story = services.story_create(storyteller=teller, title=f"Note {n}", kind=StoryKind.AUDIO)
        services.consent_record(
            story=story, actor=teller, method=ConsentMethod.WRITTEN, archive=True
        )
        story.media.save(f"note{n}.mp3", ContentFile(b"a shopping list, not a recording" * 20))
        services.story_transition(story=story, target=StoryStatus.UPLOADED, actor=teller)
        transcription_enqueue(story=story, actor=teller)
"""

REPORT = """
import json
import django
django.setup()
from stories.models import StoryEvent
from transcribe.models import TranscriptionJob
jobs = TranscriptionJob.objects.order_by("story__title")
started = StoryEvent.objects.filter(action="transcription.started").order_by("id")
print(json.dumps({
    "states": [j.state for j in jobs],
    "errors": [j.last_error for j in jobs],
    "started": [e.story_id for e in started],
    "queued": [j.story_id for j in jobs.order_by("queued_at")],
}))
"""


def python(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_one_worker_on_sqlite_runs_the_queue_in_order_and_stops_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "ARCHIVE_PRIVATE_MEDIA_ROOT": str(tmp_path / "private-media"),
        "SEARCH_BACKEND": "database",
        "ELASTICSEARCH_URL": "",
    }
    python(["manage.py", "migrate", "--no-input", "-v0"], env)
    python(["-c", QUEUE], env)

    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "archive_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                report = json.loads(python(["-c", REPORT], env))
                if report["states"] == ["failed"] * 3:
                    break
                time.sleep(0.5)
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    output = log.read_text()
    assert report["states"] == ["failed"] * 3, output
    assert all("is not an audio or video file" in e for e in report["errors"])
    assert report["started"] == report["queued"]  # taken oldest first, once each
    assert code == 0, output
