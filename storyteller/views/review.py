"""Reviewing a transcript: the recording beside its lines; correct them in place, then approve.

Every change answers in two ways: a page (without JavaScript: the change, then back to the line)
or, asked for JSON by the page's script, the lines drawn anew by the same template, so the
recording keeps playing where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from stories import transcript_edits as edits
from stories import transcripts as review
from stories.languages import part_lang
from stories.models import Segment, Speaker, Story, StoryStatus, Transcript
from stories.timecode import clock
from storyteller.forms import (
    LANGUAGES,
    LanguageForm,
    RedactForm,
    ReplaceForm,
    SegmentForm,
    SpeakerNameForm,
)
from storyteller.views._common import answers_gone, own_story
from storyteller.views.redaction_panel import may_redact, redaction_context
from transcribe.services import JobRefused, transcription_rerun_in_language

# Words the engine gave less than an even chance: the storyteller checks these first.
UNSURE_WORD = 0.5
SPLIT_MARK = "|"


@dataclass
class Line:
    segment: Segment
    form: SegmentForm
    clock: str
    words: list[tuple[str, bool]]  # (word, unsure)
    speaker: str
    lang: str = ""  # the line's language where it is not the page's (stories.languages)
    language: str = ""  # what the line's language control shows: "" for the recording's

    @property
    def unsure(self) -> int:
        return sum(1 for _, doubtful in self.words if doubtful)


def _speaker_label(speaker: Speaker | None) -> str:
    """How the storyteller sees a voice in their own transcript."""
    if speaker is None:
        return ""
    if speaker.is_storyteller:
        return "You"
    return speaker.name or f"Speaker {speaker.label.lstrip('S')}"


def _line(
    segment: Segment, number: int, form: SegmentForm | None = None, *, heard: str = ""
) -> Line:
    form = form or SegmentForm(prefix=f"s{segment.pk}", initial={"text": segment.text})
    form.fields["text"].label = f"Words of line {number}"
    words = [
        (
            str(w.get("text", "")),
            w.get("probability") is not None and float(w["probability"]) < UNSURE_WORD,
        )
        for w in review.segment_words(segment) or []
    ]
    if not words:  # an imported line without timings: its words as written
        words = [(word, False) for word in segment.text.split()]
    return Line(
        segment,
        form,
        clock(segment.start),
        words,
        _speaker_label(segment.speaker),
        part_lang(segment.language, heard),
        segment.language or (heard if segment.language_set else ""),
    )


def _line_languages(heard: str, segments: list[Segment]) -> list[tuple[str, str]]:
    """The choices of a line's language: the recording's, the archive's languages, and any
    other a line already carries (found by detection)."""
    choices = [("", f"Same as the recording ({heard})" if heard else "Same as the recording")]
    choices += LANGUAGES
    listed = {code for code, _ in LANGUAGES}
    carried = {s.language for s in segments if s.language} | ({heard} if heard else set())
    extra = sorted(carried - listed)
    return choices + [(code, code) for code in extra]


def lines_context(
    story: Story, transcript: Transcript | None, failed: tuple[int, SegmentForm] | None = None
) -> dict[str, Any]:
    """What the lines' template needs: each line, the speakers, what an undo would take back."""
    segments = list(transcript.segments.select_related("speaker")) if transcript else []
    speakers = list(transcript.speakers.all()) if transcript else []
    failed_id, failed_form = failed or (None, None)
    heard = (transcript.language if transcript else "") or story.language
    lines = [
        _line(seg, number, failed_form if seg.pk == failed_id else None, heard=heard)
        for number, seg in enumerate(segments, start=1)
    ]
    undoable = edits.last_undoable(transcript) if transcript else None
    return {
        "story": story,
        "transcript": transcript,
        "lines": lines,
        "speakers": [(s, _speaker_label(s)) for s in speakers],
        "line_languages": _line_languages(heard, segments),
        "can_edit": story.status in review.EDITABLE,
        "can_redact": may_redact(story, transcript),
        "undo": edits.edit_summary(undoable) if undoable else "",
        "unsure_lines": [line for line in lines if line.unsure],
    }


@login_required
@answers_gone
def review_page(
    request: HttpRequest,
    pk: int,
    *,
    failed: tuple[int, SegmentForm] | None = None,
    language_form: LanguageForm | None = None,
    replace_form: ReplaceForm | None = None,
    redact_form: RedactForm | None = None,
) -> HttpResponse:
    story = own_story(request, pk)
    language_form = language_form or LanguageForm(initial={"language": story.language})
    replace_form = replace_form or ReplaceForm()
    transcript = Transcript.objects.filter(story=story).first()
    context = lines_context(story, transcript, failed)
    speaker_forms = [
        (speaker, SpeakerNameForm(prefix=f"sp{speaker.pk}", initial=_speaker_initial(speaker)))
        for speaker, _ in context["speakers"]
    ]
    failed_form = failed[1] if failed else None
    redacting = redaction_context(story, transcript, request, redact_form)
    errors = (
        (failed_form or language_form).error_links()
        + replace_form.error_links()
        + redacting["redact_form"].error_links()
    )
    return render(
        request,
        "storyteller/review.html",
        {
            **context,
            **redacting,
            "can_approve": story.status == StoryStatus.AWAITING_REVIEW,
            "can_retranscribe": story.has_media and story.status == StoryStatus.AWAITING_REVIEW,
            "language_form": language_form,
            "replace_form": replace_form,
            "speaker_forms": speaker_forms,
            "error_links": errors,
        },
        status=400 if errors else 200,
    )


def _speaker_initial(speaker: Speaker) -> dict[str, Any]:
    return {"name": speaker.name, "me": speaker.is_storyteller}


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def answer(
    request: HttpRequest, story: Story, message: str, *, anchor: str = "", status: int = 200
) -> HttpResponse:
    """The page's script gets the lines drawn anew; a plain form goes back to the page."""
    if wants_json(request):
        transcript = Transcript.objects.filter(story=story).first()
        context = lines_context(story, transcript)
        return JsonResponse(
            {
                "message": message,
                "lines": render_to_string("storyteller/_review_lines.html", context, request),
                "tools": render_to_string("storyteller/_review_undo.html", context, request),
            },
            status=status,
        )
    if status >= 400:
        messages.error(request, message)
    else:
        messages.success(request, message)
    return redirect(reverse("storyteller:review", args=[story.pk]) + anchor)


def refused(request: HttpRequest, story: Story, error: Exception) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": str(error)}, status=400)
    return answer(request, story, str(error), status=400)


@login_required
@require_POST
@answers_gone
def segment_edit(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    """Correct a line; a `|` in the words splits it there."""
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    segment = get_object_or_404(Segment, pk=segment_id, transcript__story=story)
    form = SegmentForm(request.POST, prefix=f"s{segment.pk}")
    number = segment.index + 1
    message = f"Line {number} saved."
    if form.is_valid():
        text = form.cleaned_data["text"]
        cut = text.find(SPLIT_MARK)
        try:
            if cut >= 0 and text.count(SPLIT_MARK) == 1:
                words = text.replace(SPLIT_MARK, " ")
                segment = review.transcript_segment_edit(
                    segment=segment, text=words, actor=request.user
                )
                # Where the mark stood in the tidied words: count the words before it.
                before = len(text[:cut].split())
                at = len(" ".join(segment.text.split()[:before]))
                edits.transcript_line_split(segment=segment, at=at, actor=request.user)
                message = f"Line {number} saved and split in two."
            elif cut >= 0:
                raise review.ReviewRefused(
                    f"Type one {SPLIT_MARK} to split a line in two; this line has "
                    f"{text.count(SPLIT_MARK)}."
                )
            else:
                review.transcript_segment_edit(segment=segment, text=text, actor=request.user)
        except review.ReviewRefused as exc:
            form.add_error("text", str(exc))
    if form.errors:
        if wants_json(request):
            return JsonResponse(
                {"error": " ".join(str(e) for e in form.errors["text"])}, status=400
            )
        return review_page(request, pk, failed=(segment.pk, form))
    return answer(request, story, message, anchor=f"#segment-{segment.pk}")


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
