"""The chapter form and what both editing pages do with it (the curator's in the admin, the
storyteller's in /my-stories/): list, suggest, add, edit, remove through `stories.chapters`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from stories.chapter_suggestions import Excerpt, Suggestion, suggest_chapters
from stories.chapters import chapter_delete, chapter_save
from stories.models import Chapter, Segment, Story, Theme, Value
from stories.timecode import clock

if TYPE_CHECKING:
    from stories.chapters import User

__all__ = ["ChapterDesk", "ChapterForm", "chapter_desk", "parse_moment"]

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
