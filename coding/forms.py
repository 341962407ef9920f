"""Forms of the coding workspace. They work without JavaScript: plain selects and a textarea.

coding.js enhances them (an accessible combobox for codes, text selection and keyboard
segment ranges), always by filling these same fields.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django import forms

from coding import reads, units
from coding.models import Tag
from coding.services import Excerpt
from stories.models import Project, Story


def _grouped(choices: list[reads.CodeChoice]) -> list:
    groups: dict[str, list] = defaultdict(list)
    for choice in choices:
        groups[choice.group].append((choice.key, choice.name))
    return list(groups.items())


class TagForm(forms.Form):
    """A new tag (several codes at once) or, with `tag`, an edit of one."""

    codes = forms.MultipleChoiceField(
        label="Values and themes",
        help_text="Choose one or more. Each becomes its own tag on the same excerpt.",
        error_messages={"required": "Choose at least one value or theme for the tag."},
    )
    start_unit = forms.TypedChoiceField(label="From", coerce=int, empty_value=None, required=False)
    end_unit = forms.TypedChoiceField(label="To", coerce=int, empty_value=None, required=False)
    char_start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    char_end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # Word-precise times of a recording's excerpt (set by selecting words in the transcript).
    start_seconds = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    end_seconds = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    memo = forms.CharField(
        label="Memo (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this excerpt speaks to it, or what you noticed about your own reading.",
    )

    def __init__(
        self,
        *args,
        story: Story,
        story_units: list[units.Unit],
        choices: list[reads.CodeChoice],
        tag: Tag | None = None,
        **kwargs,
    ) -> None:
        self.story, self.story_units, self.tag = story, story_units, tag
        if tag is not None:
            kwargs.setdefault("initial", self._initial_for(tag))
        super().__init__(*args, **kwargs)
        if tag is not None:
            self.fields["codes"] = forms.ChoiceField(
                label="Value or theme",
                error_messages={"required": "Choose a value or theme."},
            )
        cast(forms.ChoiceField, self.fields["codes"]).choices = _grouped(choices)
        noun = "segment" if story.has_media else "sentence"
        whole: list[tuple[int | str, str]] = [("", "Whole story")]
        options: list[tuple[int | str, str]] = [(u.index, u.label) for u in story_units]
        cast(forms.ChoiceField, self.fields["start_unit"]).choices = whole + options
        self.fields["start_unit"].help_text = f"The {noun} the excerpt starts on, or “Whole story”."
        cast(forms.ChoiceField, self.fields["end_unit"]).choices = [("", f"Same {noun}"), *options]
        self.fields["end_unit"].help_text = f"The {noun} the excerpt ends on."
        self.noun = noun

    def _initial_for(self, tag: Tag) -> dict:
        touched = units.covered(self.story_units, tag)
        initial: dict[str, Any] = {"codes": reads.code_key(tag), "memo": tag.memo}
        if touched:
            initial["start_unit"], initial["end_unit"] = touched[0], touched[-1]
        if tag.char_start is not None:
            initial["char_start"], initial["char_end"] = tag.char_start, tag.char_end
        if tag.start_seconds is not None:
            initial["start_seconds"], initial["end_seconds"] = tag.start_seconds, tag.end_seconds
        return initial

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        keys = data.get("codes") or []
        if isinstance(keys, str):
            keys = [keys]
        data["code_list"] = reads.codes_from_keys(list(keys))
        if keys and not data["code_list"]:
            self.add_error("codes", "That value or theme no longer exists. Choose another.")
        data["excerpt"] = self._excerpt(data)
        return data

    def _excerpt(self, data: dict) -> Excerpt | None:
        start, end = data.get("start_unit"), data.get("end_unit")
        char_start, char_end = data.get("char_start"), data.get("char_end")
        if not self.story.has_media and char_start is not None and char_end is not None:
            touched = [
                u.index
                for u in self.story_units
                if u.char_start < char_end and u.char_end > char_start
            ]
            # An exact selection stands while the From/To choices still name the sentences it
            # lies in; choosing other sentences (without JavaScript to clear it) replaces it.
            chosen_end = start if end is None else end
            if start is None or (touched and (touched[0], touched[-1]) == (start, chosen_end)):
                return Excerpt.chars(char_start, char_end)
        words = self._words(data, start, end)
        if words is not None:
            return words
        if start is None:
            return None
        end = start if end is None else end
        first, last = sorted((start, end))
        if last >= len(self.story_units):
            self.add_error(
                "start_unit", "That part of the story no longer exists. Reload the page."
            )
            return None
        a, b = self.story_units[first], self.story_units[last]
        if self.story.has_media:
            return Excerpt.times(a.start_seconds, b.end_seconds)
        return Excerpt.chars(a.char_start, b.char_end)

    def _words(self, data: dict, start: int | None, end: int | None) -> Excerpt | None:
        """The exact words chosen in a recording's transcript, if the From/To choices still
        name the segments they lie in (as for a text's characters above)."""
        low, high = data.get("start_seconds"), data.get("end_seconds")
        if not self.story.has_media or low is None or high is None:
            return None
        snapped = units.snap_to_words(self.story_units, low, high)
        if snapped is None:
            return None
        touched = units.covered(self.story_units, Excerpt.times(*snapped))
        chosen_end = start if end is None else end
        if start is None or (touched and (touched[0], touched[-1]) == (start, chosen_end)):
            return Excerpt.times(*snapped)
        return None


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Note for the storyteller (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


FORMATS = [
    ("csv", "CSV spreadsheet of coded excerpts (.csv)"),
    ("json", "JSON of coded excerpts (.json)"),
    ("qdpx", "REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder (.qdpx)"),
    ("qdc", "REFI-QDA codebook only (.qdc)"),
]


MEDIA_CHOICES = [
    ("links", "Links to the archive (small file; playing them needs a sign-in here)"),
    (
        "embed",
        "Inside the project, to play offline in the QDA tool (only where the storyteller agreed "
        "to quotes; a recording with words taken out goes as its redacted version)",
    ),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label="Format", choices=FORMATS, widget=forms.RadioSelect, initial="csv"
    )
    project = forms.ModelChoiceField(
        label="Project (optional)",
        queryset=Project.objects.order_by("name"),
        required=False,
        empty_label="All projects",
    )
    code = forms.ChoiceField(label="Only this value or theme (optional)", required=False)
    recordings = forms.ChoiceField(
        label="Recordings in a REFI-QDA project",
        choices=MEDIA_CHOICES,
        widget=forms.RadioSelect,
        initial="links",
        required=False,
    )

    def __init__(self, *args, choices: list[reads.CodeChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = [
            ("", "Every value and theme"),
            *_grouped(choices),
        ]
