"""Curators' transcription desk in the Wagtail admin: jobs, progress, re-run, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from curation.queues import ATTENTION, QUEUED_TOO_LONG
from stories.models import Story, StoryQuerySet
from stories.visibility import CURATOR, audience_for
from transcribe.errors import TranscriptFormatError
from transcribe.models import JobState, TranscriptionJob
from transcribe.renditions import (
    RenditionRefused,
    rendition_retry,
    renditions_needing_attention,
)
from transcribe.services import JobRefused, transcript_import, transcription_rerun

MAX_IMPORT_BYTES = 5 * 1024 * 1024
ORDER: list[str] = [
    JobState.FAILED,
    JobState.RUNNING,
    JobState.QUEUED,
    JobState.DONE,
    JobState.CANCELLED,
]


def _curator(request: HttpRequest) -> None:
    if not audience_for(request.user).has(CURATOR):
        raise PermissionDenied("Only curators can manage transcriptions.")


def _visible_stories(request: HttpRequest) -> StoryQuerySet:
    """The stories this curator may see: the desk lists and acts on no others."""
    return Story.objects.visible_to(audience_for(request.user))


def jobs(request: HttpRequest) -> HttpResponse:
    _curator(request)
    state = request.GET.get("state", "")
    rows = (
        TranscriptionJob.objects.filter(story__in=_visible_stories(request).values("pk"))
        .select_related("story")
        .order_by("-updated_at")
    )
    if state in JobState.values:
        rows = rows.filter(state=state)
    elif state == ATTENTION:  # the dashboard's queue: failed or stuck
        rows = rows.needs_attention(timezone.now(), QUEUED_TOO_LONG)
    listed = sorted(rows[:200], key=lambda job: ORDER.index(job.state))
    # Redacted recordings that failed their check (or whose job failed) head the desk: the
    # story's recording is unavailable, and a published story was taken off the public paths.
    renditions = (
        renditions_needing_attention(_visible_stories(request).values_list("pk", flat=True))
        if state in ("", ATTENTION)
        else []
    )
    return TemplateResponse(
        request,
        "curation/transcriptions/jobs.html",
        {"jobs": listed, "states": JobState.choices, "state": state, "renditions": renditions},
    )


@require_http_methods(["GET", "POST"])
def rerun(request: HttpRequest, story_id: int) -> HttpResponse:
    _curator(request)
    story = get_object_or_404(_visible_stories(request), pk=story_id)
    if request.method == "POST":
        assert request.user.is_authenticated  # _curator let only a curator through
        try:
            transcription_rerun(story=story, actor=request.user)
        except JobRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{story.title}” is queued to be transcribed again.")
        return redirect("transcribe_admin:jobs")
    return TemplateResponse(
        request,
        "curation/transcriptions/confirm_rerun.html",
        {"story": story, "job": TranscriptionJob.objects.filter(story=story).first()},
    )


@require_http_methods(["GET", "POST"])
def import_transcript(request: HttpRequest, story_id: int) -> HttpResponse:
    _curator(request)
    story = get_object_or_404(_visible_stories(request), pk=story_id)
    error = ""
    if request.method == "POST":
        assert request.user.is_authenticated  # _curator let only a curator through
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a WebVTT (.vtt), SubRip (.srt) or plain text (.txt) file."
        elif upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            error = "That file is too large for a transcript (5 MB at most)."
        else:
            try:
                transcript_import(
                    story=story, data=upload.read(), filename=upload.name or "", actor=request.user
                )
            except (TranscriptFormatError, JobRefused) as exc:
                error = f"{upload.name}: {exc}"
            else:
                messages.success(request, f"The transcript of “{story.title}” was imported.")
                return redirect("transcribe_admin:jobs")
    return TemplateResponse(
        request,
        "curation/transcriptions/import.html",
        {"story": story, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["POST"])
def rendition_again(request: HttpRequest, story_id: int) -> HttpResponse:
    """Make a story's redacted recording again, and check it again (after a failed job, or a
    check a curator believes was wrong)."""
    _curator(request)
    story = get_object_or_404(_visible_stories(request), pk=story_id)
    assert request.user.is_authenticated  # _curator let only a curator through
    try:
        rendition_retry(story=story, actor=request.user)
    except RenditionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"The redacted recording of “{story.title}” will be made and checked again."
        )
    return redirect("transcribe_admin:jobs")
