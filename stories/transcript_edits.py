"""The storyteller's transcript editor: join and split lines, replace words across the
transcript, say who speaks a line, name the speakers, and undo.

Every change to the lines is kept whole as a `TranscriptEdit` (who, when, the lines before and
after), so it can be undone, last change first. Corrections of one line are in
`stories.transcripts.transcript_segment_edit`, which keeps the same record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.languages import line_language, primary
from stories.models import EditKind, Segment, Speaker, Transcript, TranscriptEdit
from stories.timecode import clock
from stories.transcripts import (
    ReviewRefused,
    edit_check,
    heard_language,
    language_redetect,
    line_text_check,
    lines_snapshot,
    segment_text_set,
    segment_words,
)
from stories.types import Actor

# Lines are renumbered in two steps, out of the way first, so that no two ever share an index.
_OUT_OF_THE_WAY = 1_000_000
# A language as the archive writes it: ISO 639 (two or three letters), maybe a region or script.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def _lines(transcript: Transcript) -> list[Segment]:
    """The transcript's lines, locked for the change, in order."""
    return list(Segment.objects.select_for_update().filter(transcript=transcript).order_by("index"))


def _renumber_after(transcript: Transcript, index: int, delta: int) -> None:
    later = Segment.objects.filter(transcript=transcript, index__gt=index)
    later.update(index=F("index") + _OUT_OF_THE_WAY)
    later = Segment.objects.filter(transcript=transcript, index__gt=_OUT_OF_THE_WAY)
    later.update(index=F("index") - _OUT_OF_THE_WAY + delta)


def _record(
    transcript: Transcript,
    kind: str,
    first_index: int,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    actor: Actor,
    **event: Any,
) -> TranscriptEdit:
    edit = TranscriptEdit.objects.create(
        transcript=transcript,
        kind=kind,
        first_index=first_index,
        before=before,
        after=after,
        edited_by=actor,
    )
    story_event_record(
        story_id=transcript.story_id, action=f"transcript.{kind}", actor=actor, **event
    )
    story_changed(story_ids=[transcript.story_id])
    return edit


def _line_of(segment: Segment, actor: Actor) -> tuple[Transcript, list[Segment], Segment]:
    transcript = Transcript.objects.select_related("story").get(pk=segment.transcript_id)
    edit_check(transcript.story, actor)
    lines = _lines(transcript)
    current = next((s for s in lines if s.pk == segment.pk), None)
    if current is None:
        raise ReviewRefused("That line is no longer in the transcript: reload the page.")
    return transcript, lines, current


@transaction.atomic
def transcript_lines_join(*, segment: Segment, actor: Actor) -> Segment:
    """Join a line with the next one (a sentence the engine cut in two)."""
    transcript, lines, first = _line_of(segment, actor)
    if first.index + 1 >= len(lines):
        raise ReviewRefused("This is the last line: there is no next line to join it to.")
    second = lines[first.index + 1]
    if first.speaker_id != second.speaker_id:
        raise ReviewRefused(
            f"Lines {first.index + 1} and {second.index + 1} are spoken by different people. "
            "If one person says both, change who speaks one of them first, then join them."
        )
    before = lines_snapshot([first, second])
    words = (segment_words(first) or []) + (segment_words(second) or [])
    length = len(first.text) + len(second.text)
    if first.confidence is not None and second.confidence is not None and length:
        first.confidence = (
            first.confidence * len(first.text) + second.confidence * len(second.text)
        ) / length
    first.text = line_text_check(f"{first.text} {second.text}")
    first.language = language_redetect(first, heard_language(transcript))
    first.words = words or None
    first.end = max(first.end, second.end)
    first.edited_by, first.edited_at = actor, timezone.now()
    second.delete()
    first.save()
    _renumber_after(transcript, first.index + 1, -1)
    _record(
        transcript,
        EditKind.JOIN,
        first.index,
        before,
        lines_snapshot([first]),
        actor,
        segment=first.index,
    )
    return first


@transaction.atomic
def transcript_line_split(*, segment: Segment, at: int, actor: Actor) -> tuple[Segment, Segment]:
    """Split a line in two before character `at` of its text; the times follow its words.

    A cut inside a word moves to the start of that word, so no word is broken.
    """
    transcript, _, line = _line_of(segment, actor)
    text = line.text
    at = max(0, min(int(at), len(text)))
    while 0 < at < len(text) and not text[at - 1].isspace() and not text[at].isspace():
        at -= 1
    left, right = text[:at].strip(), text[at:].strip()
    if not left or not right:
        raise ReviewRefused(
            "Put the cursor between two words, where the new line should begin, then split."
        )
    before = lines_snapshot([line])
    words = segment_words(line) or []
    count = len(left.split())
    if len(words) == len(text.split()) and words:
        left_words, right_words = words[:count], words[count:]
        cut_end, cut_start = float(left_words[-1]["end"]), float(right_words[0]["start"])
    else:  # no word timings: share the time by length
        left_words, right_words = [], []
        cut_end = cut_start = line.start + (line.end - line.start) * len(left) / len(text)
    cut_start = max(cut_start, cut_end)
    _renumber_after(transcript, line.index, +1)
    heard = heard_language(transcript)
    second = Segment.objects.create(
        transcript=transcript,
        index=line.index + 1,
        start=cut_start,
        end=max(line.end, cut_start),
        text=right,
        # A language a person set holds for both halves of their line.
        language=line.language if line.language_set else line_language(right, heard),
        language_set=line.language_set,
        confidence=line.confidence,
        words=right_words or None,
        speaker_id=line.speaker_id,
        edited_by=actor,
        edited_at=timezone.now(),
    )
    line.text, line.words, line.end = left, left_words or None, cut_end
    line.language = language_redetect(line, heard)
    line.edited_by, line.edited_at = actor, timezone.now()
    line.save()
    _record(
        transcript,
        EditKind.SPLIT,
        line.index,
        before,
        lines_snapshot([line, second]),
        actor,
        segment=line.index,
    )
    return line, second


def find_pattern(
    find: str, *, whole_words: bool = True, match_case: bool = False
) -> re.Pattern[str]:
    """What "find" looks for: the words as typed, whole words unless asked otherwise."""
    find = " ".join(find.split())
    if not find:
        raise ReviewRefused("Type the words to find.")
    body = r"\s+".join(re.escape(word) for word in find.split())
    if whole_words:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, 0 if match_case else re.IGNORECASE)


@transaction.atomic
def transcript_words_replace(
    *,
    transcript: Transcript,
    find: str,
    replacement: str,
    actor: Actor,
    whole_words: bool = True,
    match_case: bool = False,
) -> tuple[int, int]:
    """Replace `find` with `replacement` in every line; returns (replacements, lines changed)."""
    transcript = Transcript.objects.select_related("story").get(pk=transcript.pk)
    edit_check(transcript.story, actor)
    pattern = find_pattern(find, whole_words=whole_words, match_case=match_case)
    replacement = " ".join(replacement.split())
    lines = _lines(transcript)
    changed: list[tuple[Segment, str]] = []
    count = 0
    for line in lines:
        # A function, so that a backslash in the replacement is taken as it is typed.
        new_text, found = pattern.subn(lambda _: replacement, line.text)
        if found:
            count += found
            changed.append((line, line_text_check(new_text)))
    if not changed:
        raise ReviewRefused(f"“{' '.join(find.split())}” is not in the transcript.")
    first, last = changed[0][0].index, changed[-1][0].index
    span = lines[first : last + 1]
    before = lines_snapshot(span)
    heard = heard_language(transcript)
    for line, new_text in changed:
        segment_text_set(line, new_text, actor, heard=heard)
        line.save(update_fields=["text", "words", "language", "edited_by", "edited_at"])
    _record(
        transcript,
        EditKind.REPLACE,
        first,
        before,
        lines_snapshot(span),
        actor,
        replacements=count,
        lines=len(changed),
    )
    return count, len(changed)


@transaction.atomic
def transcript_line_speaker(*, segment: Segment, speaker: Speaker | None, actor: Actor) -> Segment:
    """Say who speaks this line (fixing a turn the engine placed wrongly)."""
    transcript, _, line = _line_of(segment, actor)
    if speaker is not None and speaker.transcript_id != transcript.pk:
        raise ReviewRefused("Choose one of the speakers of this transcript.")
    new_id = speaker.pk if speaker is not None else None
    if line.speaker_id == new_id:
        return line
    before = lines_snapshot([line])
    line.speaker_id = new_id
    line.edited_by, line.edited_at = actor, timezone.now()
    line.save(update_fields=["speaker", "edited_by", "edited_at"])
    _record(
        transcript,
        EditKind.SPEAKER,
        line.index,
        before,
        lines_snapshot([line]),
        actor,
        segment=line.index,
    )
    return line


@transaction.atomic
def transcript_speaker_add(*, transcript: Transcript, name: str, actor: Actor) -> Speaker:
    """A voice the engine did not tell apart: the storyteller adds it, then gives it lines."""
    transcript = Transcript.objects.select_related("story").get(pk=transcript.pk)
    edit_check(transcript.story, actor)
    taken = set(transcript.speakers.values_list("label", flat=True))
    number = 1
    while f"S{number}" in taken:
        number += 1
    speaker = Speaker.objects.create(
        transcript=transcript, label=f"S{number}", name=" ".join(name.split())[:100]
    )
    story_changed(story_ids=[transcript.story_id])
    return speaker


@transaction.atomic
def transcript_speakers_name(
    *, transcript: Transcript, names: Mapping[int, tuple[str, bool]], actor: Actor
) -> list[Speaker]:
    """Name the voices: speaker id -> (name, is the storyteller's own voice)."""
    transcript = Transcript.objects.select_related("story").get(pk=transcript.pk)
    edit_check(transcript.story, actor)
    if sum(1 for _, me in names.values() if me) > 1:
        raise ReviewRefused("Only one speaker can be you. Untick “This is me” for the others.")
    speakers = list(transcript.speakers.select_for_update())
    for speaker in speakers:
        if speaker.pk in names:
            name, me = names[speaker.pk]
            speaker.name = " ".join(name.split())[:100]
            speaker.is_storyteller = me
            speaker.save(update_fields=["name", "is_storyteller"])
    story_event_record(story_id=transcript.story_id, action="transcript.speakers", actor=actor)
    story_changed(story_ids=[transcript.story_id])
    return speakers


@transaction.atomic
def line_language_set(*, segment: Segment, language: str, actor: Actor) -> Segment:
    """Say which language a line is in, where detection got it wrong or could not tell.

    `language` is a code ("es", "pt-BR"); "" gives the line back to detection. A language that
    is the transcript's own is kept as "" but stays set, so detection will not change it again.
    Search stems the line in it once the change log is drained.
    """
    transcript, _, line = _line_of(segment, actor)
    language = language.strip()
    if language and not LANGUAGE_CODE.fullmatch(language):
        raise ReviewRefused("Choose a language from the list.")
    heard = heard_language(transcript)
    before = lines_snapshot([line])
    if language:
        line.language = "" if primary(language) == primary(heard) else language
        line.language_set = True
    else:
        line.language_set = False
        line.language = line_language(line.text, heard)
    if lines_snapshot([line]) == before:
        return line
    line.edited_by, line.edited_at = actor, timezone.now()
    line.save(update_fields=["language", "language_set", "edited_by", "edited_at"])
    _record(
        transcript,
        EditKind.LANGUAGE,
        line.index,
        before,
        lines_snapshot([line]),
        actor,
        segment=line.index,
        language=line.language,
    )
    return line


def last_undoable(transcript: Transcript) -> TranscriptEdit | None:
    return (
        transcript.edits.filter(undone_at__isnull=True)
        .exclude(kind=EditKind.UNDO)
        .order_by("-edited_at", "-id")
        .first()
    )


def _same(line: Segment, kept: dict[str, Any]) -> bool:
    return (line.text, round(line.start, 3), round(line.end, 3)) == (
        kept["text"],
        round(float(kept["start"]), 3),
        round(float(kept["end"]), 3),
    )


@transaction.atomic
def transcript_edit_undo(*, transcript: Transcript, actor: Actor) -> TranscriptEdit:
    """Undo the last change not yet undone: its lines go back as they were before it."""
    transcript = Transcript.objects.select_related("story").get(pk=transcript.pk)
    edit_check(transcript.story, actor)
    edit = last_undoable(transcript)
    if edit is None:
        raise ReviewRefused("There is no change left to undo.")
    lines = _lines(transcript)
    first, after, before = edit.first_index, list(edit.after), list(edit.before)
    span = lines[first : first + len(after)]
    if len(span) != len(after) or not all(map(_same, span, after)):
        raise ReviewRefused(
            "This change cannot be undone: the lines it touched have changed since. "
            "Correct them by hand instead."
        )
    speakers = set(transcript.speakers.values_list("pk", flat=True))
    heard = heard_language(transcript)
    for line in span:
        line.delete()
    _renumber_after(transcript, first + len(after) - 1, len(before) - len(after))
    now = timezone.now()
    Segment.objects.bulk_create(
        Segment(
            transcript=transcript,
            index=first + offset,
            start=kept["start"],
            end=kept["end"],
            text=kept["text"],
            # Kept since lines had a language; found again for changes made before.
            language=kept["language"] if "language" in kept else line_language(kept["text"], heard),
            language_set=kept.get("language_set", False),
            words=kept["words"],
            confidence=kept["confidence"],
            speaker_id=kept["speaker"] if kept["speaker"] in speakers else None,
            edited_by=actor,
            edited_at=now,
        )
        for offset, kept in enumerate(before)
    )
    edit.undone_at = now
    edit.save(update_fields=["undone_at"])
    return _record(
        transcript, EditKind.UNDO, first, after, before, actor, undid=edit.kind, segment=first
    )


def edit_summary(edit: TranscriptEdit) -> str:
    """What an undo would take back, in words: "Split line 4", "Joined lines 2 and 3"."""
    line = edit.first_index + 1
    if edit.kind == EditKind.JOIN:
        return f"joining lines {line} and {line + 1}"
    if edit.kind == EditKind.SPLIT:
        return f"splitting line {line} at {clock(float(edit.after[1]['start']))}"
    if edit.kind == EditKind.REPLACE:
        return f"replacing words in {len(edit.before)} line(s) from line {line}"
    if edit.kind == EditKind.LANGUAGE:
        return f"the change of language on line {line}"
    if edit.kind == EditKind.SPEAKER:
        return f"the change of speaker on line {line}"
    return f"the correction of line {line}"
