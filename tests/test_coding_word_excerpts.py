"""Excerpts of a recording at word precision: the transcript's words carry their times, and the
form's hidden start/end seconds (filled by a selection) make a tag of exactly those words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import Tag
from stories.models import Value
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db


def url(story) -> str:
    return reverse("coding:story", args=[story.pk])


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


def test_each_word_of_the_transcript_is_a_span_with_its_times(client, make_story, contributor):
    story = recorded_story(make_story)
    client.force_login(contributor)
    page = client.get(url(story)).content.decode()
    assert '<span class="word" data-start="4.000" data-end="5.000">Nobody</span>' in page
    assert 'name="start_seconds"' in page and 'name="end_seconds"' in page


def test_selected_words_become_an_excerpt_of_exactly_them(
    client, make_story, contributor, equality
):
    story = recorded_story(make_story)
    client.force_login(contributor)
    posted = {
        "codes": f"value:{equality.pk}",
        "start_unit": "1",
        "end_unit": "2",
        "start_seconds": "5.000",
        "end_seconds": "10.233",
    }
    assert client.post(url(story), posted).status_code == 302
    tag = Tag.objects.get(story=story)
    assert tag.start_seconds == 5.0
    assert tag.end_seconds == pytest.approx(10.233, abs=1e-3)
    assert tag.quote == "asked us what we needed at first. Then"
    page = client.get(url(story)).content.decode()
    assert "0:05\u20130:10" in page


def test_choosing_other_segments_without_javascript_replaces_the_words(
    client, make_story, contributor, equality
):
    story = recorded_story(make_story)
    client.force_login(contributor)
    posted = {
        "codes": f"value:{equality.pk}",
        "start_unit": "3",
        "end_unit": "3",
        "start_seconds": "5.000",
        "end_seconds": "10.233",
    }
    client.post(url(story), posted)
    tag = Tag.objects.get(story=story)
    assert (tag.start_seconds, tag.end_seconds) == (15.0, 21.0)


def test_a_redaction_mark_is_one_word_that_cannot_be_split(
    client, make_story, contributor, equality
):
    story = recorded_story(make_story)
    segment = story.transcript.segments.get(index=1)
    segment.text = " Nobody asked [redacted] at first."
    segment.words = [
        {"start": 4.0, "end": 4.6, "text": "Nobody"},
        {"start": 4.6, "end": 5.0, "text": "asked"},
        {"start": 5.0, "end": 8.0, "text": "[redacted]"},
        {"start": 8.0, "end": 8.5, "text": "at"},
        {"start": 8.5, "end": 9.5, "text": "first."},
    ]
    segment.save()
    client.force_login(contributor)
    page = client.get(url(story)).content.decode()
    assert '<span class="word is-mark" data-start="5.000" data-end="8.000">' in page
    # Times from inside the mark (as a crafted post could send) take the whole mark or none of
    # it, as a word is taken by its middle: the excerpt never starts among the hidden words.
    posted = {"codes": f"value:{equality.pk}", "start_unit": "1", "end_unit": "1"}
    client.post(url(story), posted | {"start_seconds": "6.0", "end_seconds": "8.4"})
    client.post(url(story), posted | {"start_seconds": "6.9", "end_seconds": "8.4"})
    first, second = Tag.objects.filter(story=story).order_by("pk")
    assert (first.start_seconds, first.end_seconds, first.quote) == (5.0, 8.5, "[redacted] at")
    assert (second.start_seconds, second.end_seconds, second.quote) == (8.0, 8.5, "at")
