"""Telling a story: the form (works as a plain multipart POST) and the resumable upload API.

The API, used by stories/static/stories/upload.js:
- POST   uploads/                  {"name", "size", "sha256"?} -> 201 {"id", "url", "offset", ...}
- GET    uploads/<id>/             -> {"offset", "size", "status"}   (where to resume)
- PUT    uploads/<id>/  Upload-Offset: N, body = the chunk  -> {"offset"} (409 on a wrong offset)
- POST   uploads/<id>/finish/      -> {"status": "ready", "kind", "duration"} or 400 {"error"}
Chunks are read from the request stream in small blocks; request.body is never touched.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stories.accounts import storytellers_for
from stories.models import Invitation, Project, Story, UploadSession, UploadStatus
from stories.photos import PhotoRefused, photo_clean
from stories.types import User
from stories.visibility import CURATOR, audience_for
from storyteller import uploads
from storyteller.forms import RECORDING, ConsentForm, StoryForm


def _projects_for(user: User) -> QuerySet[Project]:
    if audience_for(user).has(CURATOR):
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def _project_invited_to(user: User, projects: QuerySet[Project]) -> Project | None:
    """The project named on the invitation this person accepted, or their only project."""
    invited = (
        Invitation.objects.filter(accepted_by=user, project__in=projects)
        .select_related("project")
        .first()
    )
    if invited is not None:
        return invited.project
    only = list(projects[:2])
    return only[0] if len(only) == 1 else None


@login_required
def story_new(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    projects = _projects_for(request.user)
    form = StoryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        projects=projects,
        storytellers=storytellers_for(request.user),
        initial={"project": _project_invited_to(request.user, projects)},
    )
    consent_form = ConsentForm(request.POST if request.method == "POST" else None, prefix="consent")
    ready: UploadSession | None = None
    if request.method == "POST":
        valid = form.is_valid() & consent_form.is_valid()  # both, so every error shows
        # The file is checked even when other fields need fixing: it need not be sent again.
        ready = _media(request, form)
        photo = _photo(form)
        if valid and not form.errors:
            data = form.cleaned_data
            story = uploads.story_submit(
                uploaded_by=request.user,
                storyteller=data.get("storyteller") or request.user,
                title=data["title"],
                kind=data["kind"],
                summary=data["summary"],
                text_body=data["text_body"],
                language=data["language"],
                project=data.get("project"),
                told_on=data["told_on"],
                upload=ready,
                photo=photo,
                consent=consent_form.consent_choices(),
            )
            messages.success(request, _submitted_message(story))
            return redirect("storyteller:detail", story.pk)
    return render(
        request,
        "storyteller/story_new.html",
        {
            "form": form,
            "consent_form": consent_form,
            "error_links": form.error_links() + consent_form.error_links(),
            "ready_upload": ready,
            "consent_version": settings.ARCHIVE_CONSENT_TEXT_VERSION,
            "upload_config": {
                "start": reverse("storyteller:upload_start"),
                "chunk": settings.ARCHIVE_UPLOAD_CHUNK_BYTES,
                "max": settings.ARCHIVE_MAX_UPLOAD_BYTES,
            },
        },
    )


def _media(request: HttpRequest, form: StoryForm) -> UploadSession | None:
    """The checked upload for this submission (chunked earlier, or the form's file now)."""
    assert request.user.is_authenticated  # story_new is login_required
    data = form.cleaned_data
    if data.get("kind") != RECORDING or not (data.get("media") or data.get("upload")):
        return None
    try:
        if data.get("media"):
            return uploads.upload_session_from_file(owner=request.user, uploaded=data["media"])
        return uploads.upload_session_ready_for(owner=request.user, session_id=data["upload"])
    except uploads.UploadRefused as exc:
        form.add_error("media", str(exc))
        return None


def _photo(form: StoryForm):
    data = form.cleaned_data
    if not data.get("photo"):
        return None
    try:
        return photo_clean(data["photo"], alt_text=data.get("photo_alt", ""))
    except PhotoRefused as exc:
        form.add_error("photo", str(exc))
        return None


def _submitted_message(story: Story) -> str:
    if story.has_media:
        then = "It is being transcribed now; you will be able to check the transcript here."
    else:
        then = "Read it through below and approve it when you are happy."
    if story.on_behalf:
        return f"Story uploaded for its storyteller, who will review and approve it. {then}"
    return f"Thank you: your story is safely stored. {then}"


# The resumable upload API ------------------------------------------------------------------


def _error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _session_json(session: UploadSession) -> dict:
    return {
        "id": str(session.pk),
        "url": reverse("storyteller:upload_chunk", args=[session.pk]),
        "finish": reverse("storyteller:upload_finish", args=[session.pk]),
        "offset": session.received_bytes,
        "size": session.expected_size,
        "status": session.status,
        "chunk": settings.ARCHIVE_UPLOAD_CHUNK_BYTES,
    }


@login_required
@require_POST
def upload_start(request: HttpRequest) -> JsonResponse:
    assert request.user.is_authenticated  # login_required
    try:
        data = json.loads(request.read(4096) or b"{}")
        size = int(data.get("size", 0))
    except (ValueError, TypeError, AttributeError):
        return _error("Send the file's name and size as JSON to start an upload.")
    try:
        session = uploads.upload_session_start(
            owner=request.user,
            filename=str(data.get("name", "")),
            size=size,
            sha256=str(data.get("sha256", "")),
        )
    except uploads.UploadRefused as exc:
        return _error(str(exc))
    return JsonResponse(_session_json(session), status=201)


@login_required
@require_http_methods(["GET", "PUT"])
def upload_chunk(request: HttpRequest, session_id) -> JsonResponse:
    session = get_object_or_404(UploadSession, pk=session_id, owner=request.user)
    if request.method == "GET":
        return JsonResponse(_session_json(session))
    try:
        offset = int(request.headers["Upload-Offset"])
        length = int(request.headers["Content-Length"])
    except (KeyError, ValueError):
        return _error("Say where this chunk goes with an Upload-Offset header.")
    try:
        session = uploads.upload_chunk_append(
            session=session, offset=offset, stream=request, length=length
        )
    except uploads.UploadOffsetMismatch as exc:
        return _error(str(exc), status=409, offset=exc.received)
    except uploads.UploadRefused as exc:
        return _error(str(exc))
    return JsonResponse(_session_json(session))


@login_required
@require_POST
def upload_finish(request: HttpRequest, session_id) -> JsonResponse:
    session = get_object_or_404(UploadSession, pk=session_id, owner=request.user)
    try:
        session = uploads.upload_session_finish(session=session)
    except uploads.UploadRefused as exc:
        return _error(str(exc), status=400, status_code=session.status)
    assert session.status == UploadStatus.READY
    return JsonResponse(
        {**_session_json(session), "kind": session.kind, "duration": session.duration}
    )
