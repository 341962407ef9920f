"""The background task: a thin shell around ``transcribe.services.transcription_run``."""

from __future__ import annotations

from django_tasks import task


@task()
def transcribe_story(job_id: int) -> str:
    """Transcribe the story of job ``job_id``; returns done, skipped, lost, retry or failed."""
    from transcribe.services import transcription_run

    return transcription_run(job_id=job_id)
