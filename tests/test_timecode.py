"""The one m:ss clock, and the places that show it."""

from __future__ import annotations

import pytest

from coding.units import Unit
from public.templatetags.archive_tags import timecode
from search.types import Snippet
from stories.timecode import clock


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (5.9, "0:05"),  # fractions are dropped, not rounded
        (65, "1:05"),
        (599.99, "9:59"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723.4, "1:02:03"),
        (36061, "10:01:01"),
        (-3, "0:00"),
    ],
)
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def test_the_template_filter_reads_strings_and_shows_nothing_for_no_time():
    assert timecode("83.5") == "1:23"
    assert timecode(3723) == "1:02:03"
    assert timecode(None) == timecode("") == ""


def test_snippets_and_units_use_the_same_clock():
    assert Snippet(html=None, start=83.0).timecode == "1:23"
    assert Snippet(html=None, start=None).timecode == ""
    unit = Unit(index=0, text="We met.", char_start=0, char_end=7, start_seconds=3723.0)
    assert unit.label.startswith("1:02:03 We met")
