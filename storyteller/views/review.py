"""Reviewing a transcript: the recording beside its segments; correct, then approve."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from stories import transcripts as review
from stories.models import Segment, StoryStatus, Transcript
from stories.timecode import clock
from storyteller.forms import LanguageForm, SegmentForm
from storyteller.views._common import answers_gone, own_story
from transcribe.services import JobRefused, transcription_rerun_in_language


@login_required
@answers_gone
def review_page(
    request: HttpRequest,
    pk: int,
    *,
    failed: tuple[int, SegmentForm] | None = None,
    language_form: LanguageForm | None = None,
) -> HttpResponse:
    story = own_story(request, pk)
    language_form = language_form or LanguageForm(initial={"language": story.language})
    transcript = Transcript.objects.filter(story=story).first()
    segments = list(transcript.segments.all()) if transcript else []
    failed_index, failed_form = failed or (None, None)
    rows = []
    for number, seg in enumerate(segments, start=1):
        form = (
            failed_form
            if failed_form is not None and seg.pk == failed_index
            else _segment_form(seg)
        )
        form.fields["text"].label = f"Words of line {number}"
        rows.append((seg, form, clock(seg.start)))
    return render(
        request,
        "storyteller/review.html",
        {
            "story": story,
            "transcript": transcript,
            "rows": rows,
            "can_edit": story.status in review.EDITABLE,
            "can_approve": story.status == StoryStatus.AWAITING_REVIEW,
            "can_retranscribe": story.has_media and story.status == StoryStatus.AWAITING_REVIEW,
            "language_form": language_form,
            "error_links": (failed_form or language_form).error_links(),
        },
        status=400 if failed_form or language_form.errors else 200,
    )


def _segment_form(segment: Segment, data=None) -> SegmentForm:
    return SegmentForm(data, prefix=f"s{segment.pk}", initial={"text": segment.text})


@login_required
@require_POST
@answers_gone
def segment_edit(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    segment = get_object_or_404(Segment, pk=segment_id, transcript__story=story)
    form = _segment_form(segment, request.POST)
    if form.is_valid():
        try:
            review.transcript_segment_edit(
                segment=segment, text=form.cleaned_data["text"], actor=request.user
            )
        except review.ReviewRefused as exc:
            form.add_error("text", str(exc))
    if form.errors:
        return review_page(request, pk, failed=(segment.pk, form))
    messages.success(request, f"Line {segment.index + 1} saved.")
    return redirect(reverse("storyteller:review", args=[story.pk]) + f"#segment-{segment.pk}")


@login_required
@require_POST
@answers_gone
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    try:
        review.transcript_approve(story=story, actor=request.user)
    except review.ReviewRefused as exc:
        messages.error(request, str(exc))
        return redirect("storyteller:review", story.pk)
    messages.success(
        request,
        "Thank you: you approved your story. It can now be published if you agreed to that.",
    )
    return redirect("storyteller:detail", story.pk)


@login_required
@require_POST
@answers_gone
def retranscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """Transcribe the story again in the language its storyteller chooses."""
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    form = LanguageForm(request.POST)
    if form.is_valid():
        try:
            transcription_rerun_in_language(
                story=story, language=form.cleaned_data["language"], actor=request.user
            )
        except JobRefused as exc:
            form.add_error("language", str(exc))
    if form.errors:
        return review_page(request, pk, language_form=form)
    messages.success(
        request,
        "Your story is being transcribed again in the language you chose. We will email you "
        "when the new transcript is ready to check.",
    )
    return redirect("storyteller:detail", story.pk)
