"""Chapters of a story (its segment index): who may divide a story, the checks, suggestions.

Curators divide any story the rule lets them see; a storyteller divides their own. Every change
writes the change log (`story_changed`) in its own transaction, so search and the page caches
that follow the log see it. Chapters are read through `story_parts(...).chapters`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.http import urlencode

from stories.audience import CURATOR, audience_for
from stories.changes import story_changed
from stories.models import Chapter, Segment, Story, Theme, Value
from stories.timecode import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

__all__ = [
    "ChapterDesk",
    "ChapterForm",
    "Excerpt",
    "Suggestion",
    "chapter_delete",
    "chapter_desk",
    "chapter_save",
    "may_edit_chapters",
    "parse_moment",
    "story_suggestions",
    "suggest_chapters",
]

NOT_YOURS = "Only curators, and the storyteller for their own story, may change its chapters."


def may_edit_chapters(user: User | None, story: Story) -> bool:
    """Curators for any story they may see; the storyteller for their own, until withdrawn."""
    if user is None or not user.is_authenticated or story.status == "withdrawn":
        return False
    if story.storyteller_id == user.pk:
        return True
    audience = audience_for(user)
    return audience.has(CURATOR) and Story.objects.visible_to(audience).filter(pk=story.pk).exists()


def _duration(story: Story) -> float | None:
    if story.media_duration:
        return float(story.media_duration)
    last = Segment.objects.filter(transcript__story=story).order_by("-end").first()
    return float(last.end) if last is not None else None


def _check(story: Story, chapter: Chapter | None, start: float, end: float | None) -> None:
    """Raise a ValidationError naming each field that is wrong, in words a person can act on."""
    errors: dict[str, str] = {}
    duration = _duration(story)
    if start < 0:
        errors["start"] = "A chapter cannot start before the recording does."
    elif duration is not None and start >= duration:
        errors["start"] = f"The recording is {clock(duration)} long: start the chapter before that."
    if end is not None:
        if end <= start:
            errors["end"] = "A chapter must end after it starts."
        elif duration is not None and end > duration + 0.5:
            errors["end"] = f"The recording is {clock(duration)} long: end the chapter by then."
    others = Chapter.objects.filter(story=story, start=start)
    if chapter is not None and chapter.pk is not None:
        others = others.exclude(pk=chapter.pk)
    if "start" not in errors and others.exists():
        errors["start"] = f"Another chapter already starts at {clock(start)}."
    if errors:
        raise ValidationError(errors)


def chapter_save(
    *,
    actor: User,
    story: Story,
    start: float,
    title: str,
    chapter: Chapter | None = None,
    end: float | None = None,
    synopsis: str = "",
    keywords: str = "",
    values: Iterable[Value] = (),
    themes: Iterable[Theme] = (),
) -> Chapter:
    """Create (`chapter` None) or change a chapter of `story`, checked and logged."""
    if not may_edit_chapters(actor, story):
        raise PermissionDenied(NOT_YOURS)
    if chapter is not None and chapter.story_id != story.pk:
        raise PermissionDenied("That chapter belongs to another story.")
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the chapter a title."})
    _check(story, chapter, start, end)
    with transaction.atomic():
        chapter = chapter or Chapter(story=story, created_by_id=actor.pk)
        chapter.start, chapter.end, chapter.title = start, end, title
        chapter.synopsis = synopsis.strip()
        chapter.keywords = ", ".join(w.strip() for w in keywords.split(",") if w.strip())
        chapter.save()
        chapter.values.set(list(values))
        chapter.themes.set([t for t in themes if t.merged_into_id is None])
        story_changed(story_ids=[story.pk])
    return chapter


def chapter_delete(*, actor: User, chapter: Chapter) -> None:
    if not may_edit_chapters(actor, chapter.story):
        raise PermissionDenied(NOT_YOURS)
    with transaction.atomic():
        story_id = chapter.story_id
        chapter.delete()
        story_changed(story_ids=[story_id])


# --- Suggestions from the transcript -----------------------------------------------------------


class SegmentLike(Protocol):
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Excerpt:
    """A tagged stretch of the recording (coding passes these in: stories cannot read tags)."""

    start: float
    end: float
    label: str  # the value or theme, as people read it
    value_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    start: float
    title: str
    reason: str
    value_ids: tuple[int, ...] = field(default=())
    theme_ids: tuple[int, ...] = field(default=())

    @property
    def clock(self) -> str:
        return clock(self.start)

    @property
    def query(self) -> str:
        return suggestion_query(self)


TITLE_WORDS = 7


def _title_from(text: str) -> str:
    words = text.split()
    title = " ".join(words[:TITLE_WORDS]).rstrip(".,;:!?")
    return title + ("…" if len(words) > TITLE_WORDS else "")


def suggest_chapters(
    segments: Sequence[SegmentLike],
    *,
    excerpts: Sequence[Excerpt] = (),
    taken: Iterable[float] = (),
    pause: float = 2.0,
    spacing: float = 10.0,
) -> list[Suggestion]:
    """Where chapters might start: the first words, after each pause of `pause` seconds or
    more, and where a tagged excerpt begins (with its values and themes). A person accepts or
    edits each. Suggestions closer than `spacing` seconds to an earlier one, or within a second
    of a chapter already made (`taken`), are left out; a tagged excerpt wins over a pause."""
    lines = sorted(segments, key=lambda s: s.start)
    if not lines:
        return []
    found: dict[int, Suggestion] = {}
    found[0] = Suggestion(lines[0].start, _title_from(lines[0].text), "The recording begins.")
    for i in range(1, len(lines)):
        gap = lines[i].start - lines[i - 1].end
        if gap >= pause:
            reason = f"A pause of {gap:.1f} seconds before these words."
            found[i] = Suggestion(lines[i].start, _title_from(lines[i].text), reason)
    for excerpt in excerpts:
        # The line the excerpt starts in (or the next one).
        i = next((k for k, s in enumerate(lines) if s.end > excerpt.start), len(lines) - 1)
        before = found.get(i)
        reason = f"Tagged with {excerpt.label}."
        if before is not None and (before.value_ids or before.theme_ids):
            reason = f"{before.reason[:-1]}, and with {excerpt.label}."
        found[i] = Suggestion(
            lines[i].start,
            _title_from(lines[i].text),
            reason,
            tuple(sorted({*(before.value_ids if before else ()), *excerpt.value_ids})),
            tuple(sorted({*(before.theme_ids if before else ()), *excerpt.theme_ids})),
        )
    taken_starts = list(taken)
    kept: list[Suggestion] = []
    for i in sorted(found):
        suggestion = found[i]
        tagged = bool(suggestion.value_ids or suggestion.theme_ids)
        if any(abs(suggestion.start - t) < 1.0 for t in taken_starts):
            continue
        if kept and suggestion.start - kept[-1].start < spacing and not tagged:
            continue
        kept.append(suggestion)
    return kept


def story_suggestions(story: Story, excerpts: Sequence[Excerpt] = ()) -> list[Suggestion]:
    """`suggest_chapters` over the story's transcript, leaving out starts already taken."""
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    taken = Chapter.objects.filter(story=story).values_list("start", flat=True)
    return suggest_chapters(segments, excerpts=excerpts, taken=taken)


# --- The form both editing pages use ----------------------------------------------------------

_MOMENT = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


def parse_moment(text: str) -> float | None:
    """ "1:05" or "65" -> 65.0; "1:02:03" -> 3723.0; None when it is not a moment."""
    match = _MOMENT.match(text or "")
    if not match:
        return None
    first, second, last = match.groups()
    parts = [float(p) for p in (first, second) if p is not None]
    seconds = float(last)
    if len(parts) == 2:
        return parts[0] * 3600 + parts[1] * 60 + seconds
    if len(parts) == 1:
        return parts[0] * 60 + seconds
    return seconds


class MomentField(forms.CharField):
    """A moment of the recording typed as m:ss, h:mm:ss or seconds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "As minutes:seconds, for example 1:05.")
        # No max_length: its validator would measure the seconds this field returns.
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return clock(value) if isinstance(value, int | float) else value

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        seconds = parse_moment(text)
        if seconds is None:
            raise ValidationError("Write the moment as minutes:seconds, for example 1:05.")
        return seconds


class ChapterForm(forms.ModelForm):  # type: ignore[type-arg]
    """The fields of a chapter; `chapter_save` does the checks that need the story."""

    start = MomentField(label="Starts at")
    end = MomentField(
        label="Ends at (optional)",
        required=False,
        help_text="Empty: it runs until the next chapter.",
    )

    class Meta:
        model = Chapter
        fields = ["start", "end", "title", "synopsis", "keywords", "values", "themes"]
        widgets = {
            "synopsis": forms.Textarea(attrs={"rows": 3}),
            "values": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values, themes = self.fields["values"], self.fields["themes"]
        assert isinstance(values, forms.ModelMultipleChoiceField)
        assert isinstance(themes, forms.ModelMultipleChoiceField)
        values.queryset = Value.objects.order_by("number")
        themes.queryset = Theme.objects.active().order_by("name")

    def _post_clean(self) -> None:
        pass  # the model's own checks run in chapter_save, against the story

    def save_for(self, *, actor: User, story: Story) -> Chapter | None:
        """Save through `chapter_save`; its errors land on the form (None when it has some)."""
        data = self.cleaned_data
        try:
            return chapter_save(
                actor=actor,
                story=story,
                chapter=self.instance if self.instance.pk else None,
                start=data["start"],
                end=data.get("end"),
                title=data["title"],
                synopsis=data.get("synopsis", ""),
                keywords=data.get("keywords", ""),
                values=data.get("values") or (),
                themes=data.get("themes") or (),
            )
        except ValidationError as error:
            self.add_error(None, error)
            return None


# --- What both editing pages do (the curator's in the admin, the storyteller's) ----------------


@dataclass
class ChapterDesk:
    """One request to a story's chapters page: the form (blank, prefilled from a suggestion, or
    for the chapter being edited), the chapters, the suggestions, and `done` when it changed
    something (the view then redirects with that message)."""

    form: ChapterForm
    chapters: list[Chapter]
    suggestions: list[Suggestion]
    editing: Chapter | None = None
    done: str = ""


def chapter_desk(request: HttpRequest, story: Story, excerpts: Sequence[Excerpt]) -> ChapterDesk:
    chapters = list(Chapter.objects.filter(story=story).order_by("start", "id"))
    by_id = {str(c.pk): c for c in chapters}
    source = request.POST if request.method == "POST" else request.GET
    editing = by_id.get(source.get("chapter") or source.get("edit") or "")
    if request.method == "POST" and request.POST.get("action") == "delete" and editing:
        chapter_delete(actor=request.user, chapter=editing)
        return ChapterDesk(ChapterForm(), [], [], done=f"Chapter “{editing.title}” removed.")
    if request.method == "POST":
        form = ChapterForm(request.POST, instance=editing)
        if form.is_valid() and form.save_for(actor=request.user, story=story):
            return ChapterDesk(form, [], [], done=f"Chapter “{form.cleaned_data['title']}” saved.")
    elif editing is not None:
        form = ChapterForm(instance=editing)
    else:
        # "Use this suggestion" links fill the form; a person edits it before saving.
        asked = request.GET
        initial: dict[str, Any] = {k: asked[k] for k in ("start", "title") if asked.get(k)}
        initial["values"] = request.GET.getlist("values")
        initial["themes"] = request.GET.getlist("themes")
        form = ChapterForm(initial=initial)
    suggestions = suggest_chapters(
        list(Segment.objects.filter(transcript__story=story).order_by("index")),
        excerpts=excerpts,
        taken=[c.start for c in chapters],
    )
    return ChapterDesk(form, chapters, suggestions, editing)


def suggestion_query(suggestion: Suggestion) -> str:
    """The query string that fills the chapter form with a suggestion."""
    pairs = [("start", clock(suggestion.start)), ("title", suggestion.title)]
    pairs += [("values", str(v)) for v in suggestion.value_ids]
    pairs += [("themes", str(t)) for t in suggestion.theme_ids]
    return urlencode(pairs)
