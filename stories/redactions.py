"""Taking words out of a story: in the transcript at once, in the recording by a background job.

`redaction_add` marks a span (from chosen words or from two times) and, in one transaction with
the change log, replaces the words in it with a "[redacted]" mark in the shared transcript, so
that every path that reads the transcript (pages, captions, downloads, search, tag quotes,
exports, feeds, the API) can only ever read the redacted words. The words taken out are kept on
the Redaction, for the storyteller and for `redaction_undo`, until `original_destroy`.

The recording follows through `RedactedMedia`: each change bumps its generation and lists the
spans to silence (each widened by a guard band), and a worker (`transcribe.renditions`) makes
and checks the rendition. `media_for` decides which file, if any, a person gets: the
storyteller their original (while it exists); everyone else only a current, verified rendition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields.files import FieldFile

from stories.audience import CURATOR, Audience, audience_for
from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import (
    RedactedMedia,
    Redaction,
    RedactionBy,
    RenditionState,
    Segment,
    Story,
    StoryStatus,
    Transcript,
)
from stories.storage import story_storage
from stories.timecode import clock
from stories.types import Actor
from stories.words import segment_words

MARK = "[redacted]"
# Silence a little either side of the words: word timings are estimates, and a clipped
# syllable can be enough to recognise a name.
GUARD_SECONDS = 0.25
# While a transcript is being made its words are not settled; a redaction waits for it.
REDACTABLE = (StoryStatus.AWAITING_REVIEW, StoryStatus.APPROVED, StoryStatus.PUBLISHED)
# A span may end this much past the last word or the stated length (rounding of timings).
_SLACK = 0.5


class RedactionRefused(Exception):
    """The redaction cannot be made as asked; the message says why and what to do."""


@dataclass
class RedactionResult:
    redaction: Redaction
    # Earlier redactions this one overlapped and was joined with ("0:12-0:14").
    joined: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        taken = f"Taken out {clock(self.redaction.start)}-{clock(self.redaction.end)}."
        if self.joined:
            earlier = ", ".join(self.joined)
            return f"{taken} It overlapped your redaction at {earlier}, so they were joined."
        return taken


def is_mark(word: dict[str, Any]) -> bool:
    return bool(word.get("redacted"))


def _mid(word: dict[str, Any]) -> float:
    return (float(word["start"]) + float(word["end"])) / 2


def _line_words(segment: Segment) -> list[dict[str, Any]]:
    """The line's words with timings: the engine's, or (an imported line without them) its
    text spread over the line by length, so a span can still take out just some of it."""
    words = segment_words(segment)
    if words:
        return words
    tokens = segment.text.split()
    total = sum(len(t) for t in tokens) or 1
    spread, done = [], 0
    for token in tokens:
        begin = segment.start + (segment.end - segment.start) * done / total
        done += len(token)
        end = segment.start + (segment.end - segment.start) * done / total
        spread.append({"start": begin, "end": end, "text": token, "probability": None})
    return spread


def _text_of(words: Sequence[dict[str, Any]]) -> str:
    return " ".join(str(w["text"]).strip() for w in words if str(w["text"]).strip())


def words_redact(
    words: list[dict[str, Any]], start: float, end: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Replace each run of words whose middle lies in [start, end] by one mark.

    Returns the new word list and, per mark made, what it replaced:
    {"start", "end", "words": [...]} (the mark's own times and the words it stands for).
    Marks already there stay as they are.
    """
    out: list[dict[str, Any]] = []
    taken: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def close_run() -> None:
        if not run:
            return
        mark = {
            "start": float(run[0]["start"]),
            "end": float(run[-1]["end"]),
            "text": MARK,
            "probability": None,
            "redacted": True,
        }
        out.append(mark)
        taken.append({"start": mark["start"], "end": mark["end"], "words": list(run)})
        run.clear()

    for word in words:
        if not is_mark(word) and start <= _mid(word) <= end:
            run.append(word)
            continue
        close_run()
        out.append(word)
    close_run()
    return out, taken


def _apply(segments: Iterable[Segment], start: float, end: float) -> list[dict[str, Any]]:
    """Take the words in [start, end] out of these lines (saved); returns the originals."""
    originals: list[dict[str, Any]] = []
    for segment in segments:
        if segment.end < start or segment.start > end:
            continue
        words, taken = words_redact(_line_words(segment), start, end)
        if not taken:
            continue
        segment.words = words
        segment.text = _text_of(words)
        segment.save(update_fields=["words", "text"])
        originals += [{"index": segment.index, **piece} for piece in taken]
    return originals


def _words_of(originals: Sequence[dict[str, Any]]) -> str:
    return " … ".join(_text_of(piece["words"]) for piece in originals)


def _check_may(story: Story, actor: Actor, by: str) -> Audience:
    audience = audience_for(actor)
    own = actor is not None and actor.pk == story.storyteller_id
    if by == RedactionBy.STORYTELLER and own:
        return audience
    if by in (RedactionBy.REQUEST, RedactionBy.THIRD_PARTY) and audience.has(CURATOR):
        return audience
    if own:
        raise PermissionDenied("Mark a redaction of your own story as yours.")
    raise PermissionDenied(
        "Only the storyteller, or a curator acting for them or for someone named in the story, "
        "can take words out of a story."
    )


def _length(story: Story, transcript: Transcript) -> float | None:
    return story.media_duration or transcript.duration


def _check_span(story: Story, transcript: Transcript, start: float, end: float) -> None:
    if start < 0 or end <= start:
        raise RedactionRefused(
            "A redaction runs forwards from its start to its end. "
            "Check the two times and try again."
        )
    length = _length(story, transcript)
    if length is not None and start >= length:
        raise RedactionRefused(
            f"The recording is {clock(length)} long, so nothing starts at {clock(start)}. "
            "Choose a span inside the recording."
        )
    if length is not None and end > length + _SLACK:
        raise RedactionRefused(
            f"The recording is {clock(length)} long; a redaction must end by then. "
            "Shorten the span and try again."
        )


def _transcript_of(story: Story) -> Transcript:
    if not story.has_media:
        raise RedactionRefused(
            "A written story has no recording to redact: change its words in the story's text."
        )
    if story.status not in REDACTABLE:
        raise RedactionRefused(
            "Words can be taken out once the transcript is ready. It is still being made (or the "
            "story was withdrawn): come back when it is ready for review."
        )
    transcript = Transcript.objects.filter(story=story).first()
    if transcript is None:
        raise RedactionRefused("This story has no transcript yet. Come back when it is ready.")
    return transcript


def word_span(transcript: Transcript, index: int, first: int, last: int) -> tuple[float, float]:
    """The times of words `first` to `last` (counted from 0) of line `index`."""
    segment = transcript.segments.filter(index=index).first()
    if segment is None:
        raise RedactionRefused(f"There is no line {index + 1}. Reload the page and try again.")
    words = _line_words(segment)
    if not (0 <= first <= last < len(words)):
        raise RedactionRefused(
            "Those words are not in that line any more. Reload the page and choose them again."
        )
    return float(words[first]["start"]), float(words[last]["end"])


@transaction.atomic
def redaction_add(
    *,
    story: Story,
    start: float,
    end: float,
    actor: Actor,
    reason: str = "",
    by: str = RedactionBy.STORYTELLER,
) -> RedactionResult:
    """Take the words spoken between `start` and `end` out of the story, for everyone but its
    storyteller; a redaction overlapping earlier ones is joined with them."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    _check_may(story, actor, by)
    transcript = _transcript_of(story)
    _check_span(story, transcript, start, end)
    overlapping = list(story.redactions.select_for_update().filter(start__lte=end, end__gte=start))
    joined = [f"{clock(r.start)}-{clock(r.end)}" for r in overlapping]
    start = min([start, *(r.start for r in overlapping)])
    end = max([end, *(r.end for r in overlapping)])
    segments = list(transcript.segments.select_for_update().order_by("index"))
    originals = [piece for r in overlapping for piece in r.originals]
    originals += _apply(segments, start, end)
    originals.sort(key=lambda piece: (piece["start"], piece["index"]))
    reasons = [r.reason for r in overlapping if r.reason]
    redaction = Redaction.objects.create(
        story=story,
        start=start,
        end=end,
        words=_words_of(originals),
        originals=originals,
        reason="; ".join(dict.fromkeys([*reasons, reason.strip()] if reason.strip() else reasons))[
            :500
        ],
        by=by,
        marked_by=actor,
    )
    for old in overlapping:
        old.delete()
    _media_follow(story)
    story_event_record(
        story_id=story.pk,
        action="redaction.added",
        actor=actor,
        redaction=redaction.pk,
        by=by,
        joined=len(overlapping),
    )
    story_changed(story_ids=[story.pk])
    return RedactionResult(redaction=redaction, joined=joined)


@transaction.atomic
def redaction_undo(*, redaction: Redaction, actor: Actor) -> Story:
    """Put the words of a redaction back, while its original is kept.

    The storyteller undoes their own redactions and those a curator made at their request; a
    redaction that protects someone else is undone by a curator.
    """
    redaction = Redaction.objects.select_for_update().select_related("story").get(pk=redaction.pk)
    story = redaction.story
    audience = audience_for(actor)
    own = actor is not None and actor.pk == story.storyteller_id
    if not (audience.has(CURATOR) or (own and redaction.by != RedactionBy.THIRD_PARTY)):
        raise PermissionDenied(
            "A curator took these words out to protect someone else; "
            "ask a curator to put them back."
        )
    media = RedactedMedia.objects.filter(story=story).first()
    if media is not None and media.original_destroyed:
        raise RedactionRefused(
            "The original words and sound were destroyed at your request, so this cannot be undone."
        )
    transcript = Transcript.objects.get(story=story)
    lines = list(transcript.segments.select_for_update().order_by("index"))
    for line in lines:
        words = _line_words(line)
        back = _restore(words, redaction.originals)
        if back != words:
            line.words, line.text = back, _text_of(back)
            line.save(update_fields=["words", "text"])
    redaction.delete()
    _media_follow(story)
    story_event_record(story_id=story.pk, action="redaction.undone", actor=actor)
    story_changed(story_ids=[story.pk])
    return story


def _restore(
    words: list[dict[str, Any]], originals: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The word list with each mark that `originals` made replaced by the words it stands for."""
    pieces = {(round(p["start"], 3), round(p["end"], 3)): p["words"] for p in originals}
    out: list[dict[str, Any]] = []
    for word in words:
        key = (round(float(word["start"]), 3), round(float(word["end"]), 3))
        if is_mark(word) and key in pieces:
            out += [dict(w) for w in pieces[key]]
        else:
            out.append(word)
    return out


def redactions_reapply(transcript: Transcript) -> None:
    """Take every redaction's span out of a transcript made again (a new transcription): the
    engine hears the original recording, so its words come back unless taken out again."""
    redactions = list(Redaction.objects.filter(story_id=transcript.story_id))
    if not redactions:
        return
    segments = list(transcript.segments.order_by("index"))
    for redaction in redactions:
        fresh = _apply(segments, redaction.start, redaction.end)
        media = RedactedMedia.objects.filter(story_id=transcript.story_id).first()
        if media is not None and media.original_destroyed:
            continue  # nothing of the original is kept any more
        redaction.originals = [*redaction.originals, *fresh]
        redaction.save(update_fields=["originals"])


def rendition_spans(redactions: Iterable[Redaction], length: float | None) -> list[list[float]]:
    """The spans to silence: each redaction widened by the guard band, clipped, merged."""
    spans: list[list[float]] = []
    for r in sorted(redactions, key=lambda r: r.start):
        begin = max(0.0, r.start - GUARD_SECONDS)
        stop = r.end + GUARD_SECONDS
        if length is not None:
            stop = min(stop, length)
        if spans and begin <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], stop)
        else:
            spans.append([round(begin, 3), round(stop, 3)])
    return spans


def _media_follow(story: Story) -> None:
    """The recording must be made again for the redactions as they are now (or, with none left
    and the original kept, the original is everyone's again)."""
    redactions = list(Redaction.objects.filter(story=story))
    media = RedactedMedia.objects.select_for_update().filter(story=story).first()
    if not redactions and (media is None or not media.original_destroyed):
        if media is not None:
            old = media.file.name
            media.delete()
            if old:
                transaction.on_commit(lambda: story_storage().delete(old))
        return
    spans = rendition_spans(redactions, story.media_duration)
    if media is None:
        RedactedMedia.objects.create(story=story, spans=spans)
        return
    media.generation += 1
    media.spans = spans
    media.state = RenditionState.PENDING
    media.heard = ""
    media.verified_at = None
    media.save()


def media_for(story: Story, audience: Audience, *, want_redacted: bool = False) -> FieldFile | None:
    """The recording this audience may play (the story is known visible to it), or None while a
    redacted recording is still being made (or failed its check): never the unredacted one.

    The storyteller hears their original while it is kept (or the redacted one, asked for).
    """
    media = RedactedMedia.objects.filter(story=story).first()
    if media is None:
        original: FieldFile = story.media
        return original
    own = audience.user_id is not None and audience.user_id == story.storyteller_id
    if own and not want_redacted:
        kept: FieldFile = story.media
        return kept
    if media.current:
        rendition: FieldFile = media.file
        return rendition
    return None


def redactions_for(story: Story, audience: Audience) -> list[Redaction]:
    """The redactions of `story` that `audience` may know of: the storyteller and curators
    see when, why and by whom; only the storyteller sees the words taken out."""
    own = audience.user_id is not None and audience.user_id == story.storyteller_id
    if not (own or audience.has(CURATOR)):
        return []
    found = list(Redaction.objects.filter(story=story).select_related("marked_by"))
    for redaction in found:
        redaction.undoable = bool(redaction.originals)  # the original is still kept
        if not own:  # not saved: a copy for this page only
            redaction.words, redaction.originals = "", []
    return found


@transaction.atomic
def original_destroy(*, story: Story, actor: Actor) -> Story:
    """At the storyteller's request: the words taken out, and the unredacted recording, go for
    good; the redacted recording becomes the only copy. Nothing can be undone after this."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    if actor is None or actor.pk != story.storyteller_id:
        raise PermissionDenied("Only the storyteller can destroy the original of their story.")
    media = RedactedMedia.objects.select_for_update().filter(story=story).first()
    if media is None:
        raise RedactionRefused(
            "Nothing was taken out of this story, so there is no original to destroy."
        )
    if media.original_destroyed:
        return story
    if not media.current:
        raise RedactionRefused(
            "The redacted recording is still being made (or checked). Destroy the original once "
            "it is ready, so that a copy of your story remains."
        )
    old = story.media.name
    story.media.name = media.file.name
    story.save(update_fields=["media"])
    media.original_destroyed = True
    media.save(update_fields=["original_destroyed", "updated_at"])
    Redaction.objects.filter(story=story).update(words="", originals=[])
    transcript = Transcript.objects.filter(story=story).first()
    if transcript is not None:
        # The undo history and the corrections' history hold the words as they were.
        transcript.edits.all().delete()
        for line in transcript.segments.filter(words__isnull=False):
            line.revisions.all().delete()
    story_event_record(story_id=story.pk, action="redaction.original_destroyed", actor=actor)
    story_changed(story_ids=[story.pk])
    if old and old != media.file.name:
        transaction.on_commit(lambda: story_storage().delete(old))
    return story


# Suggestions: plain patterns, so a storyteller sees what to check. What they find and miss is
# said on the page: names are capitalised words that do not start a sentence (so a name that
# starts one, or one written in lower case, is missed; so are names in languages without capitals).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d ()-]{7,}\d)(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")
_STREET = re.compile(
    r"\b\d{1,4}[a-z]? (?:[A-Z][\w'-]+ ){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Ave|Close|Drive|"
    r"Way|Place|Court|Crescent|Terrace|Gardens|Grove|Square|Hill|Row|Walk|Mews)\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")
_NOT_NAMES = frozenset(
    {
        "I",
        "I'm",
        "I've",
        "I'd",
        "I'll",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
        "Welsh",
        "Scottish",
        "Irish",
        "British",
        "God",
        "Christmas",
        "Easter",
        "OK",
    }
)
SUGGESTION_KINDS = {
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
    "street": "a street address",
    "name": "what may be a person's name",
}


@dataclass(frozen=True)
class Suggestion:
    kind: str
    text: str
    index: int  # the line
    first: int  # its first and last word in the line, counted from 0
    last: int
    start: float
    end: float

    @property
    def what(self) -> str:
        return SUGGESTION_KINDS[self.kind]


def redaction_suggestions(transcript: Transcript) -> list[Suggestion]:
    """Words worth checking before sharing: addresses, numbers and what look like names."""
    found: list[Suggestion] = []
    for segment in transcript.segments.order_by("index"):
        words = _line_words(segment)
        tokens = [str(w["text"]).strip() for w in words]
        text, offsets = _with_offsets(tokens)
        taken: set[int] = set()
        for kind, pattern in (
            ("email", _EMAIL),
            ("phone", _PHONE),
            ("postcode", _POSTCODE),
            ("street", _STREET),
            ("name", _NAME),
        ):
            for match in pattern.finditer(text):
                first, last = _token_range(offsets, match.start(), match.end())
                if any(i in taken for i in range(first, last + 1)):
                    continue
                if any(is_mark(words[i]) for i in range(first, last + 1)):
                    continue
                if kind == "name" and match.group(0).split()[0] in _NOT_NAMES:
                    continue
                taken.update(range(first, last + 1))
                found.append(
                    Suggestion(
                        kind=kind,
                        text=_text_of(words[first : last + 1]),
                        index=segment.index,
                        first=first,
                        last=last,
                        start=float(words[first]["start"]),
                        end=float(words[last]["end"]),
                    )
                )
    return found


def _with_offsets(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    offsets, at = [], 0
    for token in tokens:
        offsets.append((at, at + len(token)))
        at += len(token) + 1
    return " ".join(tokens), offsets


def _token_range(offsets: list[tuple[int, int]], begin: int, end: int) -> tuple[int, int]:
    inside = [i for i, (a, b) in enumerate(offsets) if a < end and b > begin]
    return inside[0], inside[-1]
