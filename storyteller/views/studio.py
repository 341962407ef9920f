"""The transcript studio's other changes: join and split lines, who speaks, replace, undo."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from stories import transcript_edits as edits
from stories import transcripts
from stories.models import Segment, Speaker, Story, Transcript
from stories.transcripts import ReviewRefused
from storyteller.forms import LANGUAGES, ReplaceForm, SpeakerNameForm
from storyteller.views._common import answers_gone, own_story
from storyteller.views.review import answer, refused, review_page, wants_json


def _segment(request: HttpRequest, pk: int, segment_id: int) -> tuple[Story, Segment]:
    story = own_story(request, pk)
    return story, get_object_or_404(Segment, pk=segment_id, transcript__story=story)


def _line_saved(
    request: HttpRequest, story: Story, segment: Segment, what: str, save: Callable[[], object]
) -> HttpResponse:
    """Run one line's change and answer with the line in view, or say why it was refused."""
    try:
        save()
    except ReviewRefused as exc:
        return refused(request, story, exc)
    return answer(
        request, story, f"Line {segment.index + 1}: {what} saved.", anchor=f"#segment-{segment.pk}"
    )


def _transcript(request: HttpRequest, pk: int) -> tuple[Story, Transcript]:
    story = own_story(request, pk)
    return story, get_object_or_404(Transcript, story=story)


@login_required
@require_POST
@answers_gone
def join(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story, segment = _segment(request, pk, segment_id)
    number = segment.index + 1
    try:
        joined = edits.transcript_lines_join(segment=segment, actor=request.user)
    except ReviewRefused as exc:
        return refused(request, story, exc)
    return answer(
        request,
        story,
        f"Lines {number} and {number + 1} joined.",
        anchor=f"#segment-{joined.pk}",
    )


@login_required
@require_POST
@answers_gone
def split(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    """Split at the cursor (the script sends where it stands in the line's words)."""
    assert request.user.is_authenticated  # login_required
    story, segment = _segment(request, pk, segment_id)
    try:
        at = int(request.POST.get("at", ""))
    except ValueError:
        return refused(
            request, story, ReviewRefused("Put the cursor where the new line should begin.")
        )
    try:
        first, _ = edits.transcript_line_split(segment=segment, at=at, actor=request.user)
    except ReviewRefused as exc:
        return refused(request, story, exc)
    return answer(
        request,
        story,
        f"Line {first.index + 1} split in two.",
        anchor=f"#segment-{first.pk}",
    )


@login_required
@require_POST
@answers_gone
def line_speaker(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story, segment = _segment(request, pk, segment_id)
    chosen = request.POST.get("speaker", "")
    speaker = None
    if chosen:
        speaker = Speaker.objects.filter(pk=chosen, transcript__story=story).first()
        if speaker is None:
            return refused(request, story, ReviewRefused("Choose one of the listed speakers."))
    actor = request.user
    return _line_saved(
        request,
        story,
        segment,
        "speaker",
        lambda: edits.transcript_line_speaker(segment=segment, speaker=speaker, actor=actor),
    )


@login_required
@require_POST
@answers_gone
def line_language(request: HttpRequest, pk: int, segment_id: int) -> HttpResponse:
    """Say which language a line is in; "" gives it back to detection."""
    assert request.user.is_authenticated  # login_required
    story, segment = _segment(request, pk, segment_id)
    chosen = request.POST.get("language", "").strip()
    # The listed languages, the recording's, and the one the line already carries.
    heard = transcripts.heard_language(segment.transcript)
    known = {code for code, _ in LANGUAGES} | {segment.language, heard}
    if chosen and chosen not in known:
        return refused(
            request,
            story,
            ReviewRefused(
                f"Line {segment.index + 1}: “{chosen[:20]}” is not one of the listed languages. "
                "Choose one from the list, or “Same as the recording”."
            ),
        )
    actor = request.user
    return _line_saved(
        request,
        story,
        segment,
        "language",
        lambda: edits.line_language_set(segment=segment, language=chosen, actor=actor),
    )


@login_required
@require_POST
@answers_gone
def replace(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story, transcript = _transcript(request, pk)
    form = ReplaceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            count, lines = edits.transcript_words_replace(
                transcript=transcript,
                find=data["find"],
                replacement=data["replacement"],
                whole_words=data["whole_words"],
                actor=request.user,
            )
        except ReviewRefused as exc:
            form.add_error("find", str(exc))
    if form.errors:
        if wants_json(request):
            return refused(
                request, story, ReviewRefused(" ".join(str(e) for e in form.errors["find"]))
            )
        return review_page(request, pk, replace_form=form)
    return answer(request, story, f"Replaced {count} time(s) in {lines} line(s).", anchor="#lines")


@login_required
@require_POST
@answers_gone
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story, transcript = _transcript(request, pk)
    undoable = edits.last_undoable(transcript)
    try:
        edits.transcript_edit_undo(transcript=transcript, actor=request.user)
    except ReviewRefused as exc:
        return refused(request, story, exc)
    assert undoable is not None  # the undo found one
    return answer(request, story, f"Undone: {edits.edit_summary(undoable)}.", anchor="#lines")


@login_required
@require_POST
@answers_gone
def speakers(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the voices; a new one can be added by name."""
    assert request.user.is_authenticated  # login_required
    story, transcript = _transcript(request, pk)
    names = {}
    for speaker in transcript.speakers.all():
        form = SpeakerNameForm(request.POST, prefix=f"sp{speaker.pk}")
        if form.is_valid():
            names[speaker.pk] = (form.cleaned_data["name"], form.cleaned_data["me"])
    try:
        edits.transcript_speakers_name(transcript=transcript, names=names, actor=request.user)
        added = " ".join(request.POST.get("new_speaker", "").split())
        if added:
            edits.transcript_speaker_add(transcript=transcript, name=added, actor=request.user)
    except ReviewRefused as exc:
        return refused(request, story, exc)
    return answer(request, story, "Speakers saved.", anchor="#speakers")
