"""A corrected line's per-word list follows its text: no path serves a word the text lost.

Whisper fills each segment's `words` with timings. When the storyteller corrects the line, the
words that still stand keep their timings, new words are spread over the time between them, and
the words that were corrected away are gone, from the database and from every download.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stories.models import Segment, StoryKind
from stories.transcripts import (
    segment_words,
    transcript_replace,
    transcript_segment_edit,
    words_follow,
    words_spell,
)
from tests import public_site as site
from tests.public_site import timed_words as whisper_words

pytestmark = pytest.mark.django_db

SAID = "My neighbour Bartholomew Quill drove me to the hospital."
CORRECTED = "My neighbour Sam drove me to the hospital."
GONE = ("Bartholomew", "Quill")


@pytest.fixture
def recorded(make_story):
    """A published recording whose first line names a neighbour, with Whisper's word list."""
    story = make_story(title="The bus to the hospital", kind=StoryKind.AUDIO, text="")
    return site.say_first(site.attach_recording(story), SAID)


def json_words(client, story) -> list[dict]:
    response = client.get(f"/transcripts/{story.pk}.json")
    assert response.status_code == 200
    return json.loads(response.content)["segments"][0]["words"]


@pytest.mark.parametrize("who", ["public", "researcher", "curator", "storyteller"])
def test_a_correction_leaves_no_old_word_in_the_json_transcript(
    client, request, recorded, storyteller, who
):
    first = Segment.objects.get(transcript__story=recorded, index=0)
    before = {w["text"]: w for w in first.words}

    transcript_segment_edit(segment=first, text=CORRECTED, actor=storyteller)

    first.refresh_from_db()
    assert first.text == CORRECTED
    assert [w["text"] for w in first.words] == CORRECTED.split()
    if who != "public":
        client.force_login(request.getfixturevalue(who))
    words = json_words(client, recorded)
    assert [w["text"] for w in words] == CORRECTED.split()
    for gone in GONE:
        assert gone not in json.dumps(words)
    kept = {w["text"]: w for w in words if w["text"] != "Sam"}
    for text, word in kept.items():  # unchanged words keep the engine's timing
        assert (word["start"], word["end"]) == (before[text]["start"], before[text]["end"])
    sam = next(w for w in words if w["text"] == "Sam")
    assert before["neighbour"]["end"] <= sam["start"] < sam["end"] <= before["drove"]["start"]
    assert sam["probability"] is None  # no engine vouched for it


def test_words_stored_before_a_correction_are_never_served(client, recorded):
    """A row written before words followed corrections (text changed, words not) is served
    with words that spell its text."""
    Segment.objects.filter(transcript__story=recorded, index=0).update(text=CORRECTED)
    words = json_words(client, recorded)
    assert [w["text"] for w in words] == CORRECTED.split()
    assert not any(gone in json.dumps(words) for gone in GONE)


def test_a_transcript_written_with_words_that_do_not_match_keeps_none_of_the_others(recorded):
    transcript_replace(
        story=recorded,
        segments=[(0.0, 3.0, CORRECTED, 0.9, whisper_words(SAID, 0.0, 3.0))],
        engine="test",
        model_name="test",
        language="en",
        language_probability=1.0,
        duration=3.0,
        note="",
    )
    segment = Segment.objects.get(transcript__story=recorded)
    assert [w["text"] for w in segment.words] == CORRECTED.split()
    assert segment_words(segment) == segment.words


def test_a_segment_without_words_stays_without():
    assert words_follow(None, text=CORRECTED, start=0.0, end=2.0) is None
    assert words_follow([], text=CORRECTED, start=0.0, end=2.0) is None


tokens = st.lists(st.sampled_from(["we", "met", "on", "Tuesdays.", "Sam", "the", "hall,"]))


@settings(max_examples=200, deadline=None)
@given(old=tokens.filter(bool), new=tokens.filter(bool), start=st.floats(0, 100))
def test_any_correction_gives_words_that_spell_the_text_inside_the_segment(old, new, start):
    end = start + 5.0
    text = " ".join(new)
    words = words_follow(whisper_words(" ".join(old), start, end), text=text, start=start, end=end)
    assert words_spell(words, text)
    assert [w["text"] for w in words] == new
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    for word in words:
        assert start - 1e-6 <= word["start"] <= word["end"] <= end + 1e-6
