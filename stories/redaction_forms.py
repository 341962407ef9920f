"""The span a person asks to take out, as a form: a line's words by number, or two times.

Shared by the storyteller's studio and the curator's screen, so both read spans the same way
and refuse the same mistakes with the same words.
"""

from __future__ import annotations

from typing import Any

from django import forms

from stories.models import Transcript
from stories.redactions import word_span
from stories.timecode import clock_seconds


class SpanForm(forms.Form):
    line = forms.IntegerField(label="Line", min_value=1, required=False)
    first = forms.IntegerField(label="From word", min_value=1, required=False)
    last = forms.IntegerField(label="To word", min_value=1, required=False)
    start = forms.CharField(label="From (m:ss)", max_length=12, required=False)
    end = forms.CharField(label="To (m:ss)", max_length=12, required=False)
    reason = forms.CharField(label="Why (optional)", max_length=500, required=False)

    def _time(self, name: str) -> float | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return clock_seconds(text)
        except ValueError:
            self.add_error(name, "Write the time as minutes and seconds, like 1:05.")
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = self._time("start"), self._time("end")
        if self.errors:
            return data
        if start is not None or end is not None:
            if start is None or end is None:
                self.add_error(
                    "end" if start is not None else "start",
                    "Give both times: where the words begin and where they end.",
                )
            data["times"] = (start, end)
            return data
        if data.get("line") is None or data.get("first") is None:
            raise forms.ValidationError(
                "Choose what to take out: a line and its words by number (the first word is 1), "
                "or the times where the words begin and end."
            )
        return data

    def span(self, transcript: Transcript) -> tuple[float, float]:
        """The chosen span in seconds (RedactionRefused if those words are not there)."""
        data = self.cleaned_data
        if data.get("times"):
            start, end = data["times"]
            return float(start), float(end)
        first = data["first"] - 1
        last = (data.get("last") or data["first"]) - 1
        return word_span(transcript, data["line"] - 1, first, last)
