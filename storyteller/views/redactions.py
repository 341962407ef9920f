"""Taking words out of one's own story, in the transcript studio: a span (chosen words, two
times or a suggestion), the list of what was taken out with an undo each, the state of the
redacted recording, and destroying the original. Plain forms: each answers with the page and
a message saying what happened or why not (the service's own words)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from stories.models import (
    Redaction,
    Story,
    Transcript,
)
from stories.redactions import (
    RedactionRefused,
    original_destroy,
    redaction_add,
    redaction_undo,
)
from stories.timecode import clock
from storyteller.forms import RedactForm
from storyteller.views._common import answers_gone, own_story
from storyteller.views.review import review_page


def _back(story: Story, anchor: str = "#redactions") -> HttpResponse:
    return redirect(reverse("storyteller:review", args=[story.pk]) + anchor)


@login_required
@require_POST
@answers_gone
def redact(request: HttpRequest, pk: int) -> HttpResponse:
    """Take out the chosen words (by line and word numbers, or by two times)."""
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    form = RedactForm(request.POST)
    if not form.is_valid():
        return review_page(request, pk, redact_form=form)
    transcript = Transcript.objects.filter(story=story).first()
    try:
        if transcript is None:
            raise RedactionRefused("This story has no transcript yet. Come back when it is ready.")
        start, end = form.span(transcript)
        result = redaction_add(
            story=story,
            start=start,
            end=end,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except RedactionRefused as exc:
        messages.error(request, str(exc))
        return _back(story, "#redact")
    messages.success(
        request,
        f"{result.message} Nobody else sees or hears those words now; the recording is being "
        "prepared again without them.",
    )
    return _back(story)


@login_required
@require_POST
@answers_gone
def undo(request: HttpRequest, pk: int, redaction_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    redaction = get_object_or_404(Redaction, pk=redaction_id, story=story)
    when = f"{clock(redaction.start)} to {clock(redaction.end)}"
    try:
        redaction_undo(redaction=redaction, actor=request.user)
    except (RedactionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _back(story)
    messages.success(request, f"The words from {when} are back in your story.")
    return _back(story)


@login_required
@require_POST
@answers_gone
def destroy_original(request: HttpRequest, pk: int) -> HttpResponse:
    """Destroy the words taken out and the unredacted recording, once confirmed."""
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            "Nothing was destroyed. Tick the box to confirm that you understand this cannot be "
            "undone, then press the button again.",
        )
        return _back(story, "#destroy")
    try:
        original_destroy(story=story, actor=request.user)
    except RedactionRefused as exc:
        messages.error(request, str(exc))
        return _back(story, "#destroy")
    messages.success(
        request,
        "The original is destroyed: the words you took out and the recording with them are gone "
        "for good. The redacted recording is now the only copy.",
    )
    return _back(story)
