"""Tags on whole stories and on excerpts: character ranges of text, segment ranges of recordings."""

from __future__ import annotations

import pytest

from coding.models import Tag, TagStatus
from coding.services import CodingError, Excerpt, tag_create, tag_delete, tag_update
from stories.models import StoryEvent, StoryKind, Theme, Value
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db

TEXT = "We met on Tuesdays. Nobody asked us at first!  Then the council listened."


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


def test_a_text_excerpt_keeps_its_characters_and_words(make_story, contributor, equality):
    story = make_story(text=TEXT)
    start = TEXT.index("Nobody")
    end = start + len("Nobody asked us at first!")
    tag = tag_create(
        story=story,
        actor=contributor,
        code=equality,
        excerpt=Excerpt.chars(start - 1, end + 1),  # the spaces either side are trimmed
        memo=" They felt unheard. ",
    )
    assert (tag.char_start, tag.char_end) == (start, end)
    assert tag.quote == "Nobody asked us at first!"
    assert tag.memo == "They felt unheard."
    assert tag.status == TagStatus.ACCEPTED
    assert tag.created_by == contributor
    assert tag.start_seconds is None


def test_a_text_selection_inside_words_takes_the_whole_words(make_story, contributor, equality):
    story = make_story(text=TEXT)
    start = TEXT.index("obody")
    end = TEXT.index("us at") + 1  # "u" of "us"
    tag = tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(start, end)
    )
    assert tag.quote == "Nobody asked us"


def test_a_recording_excerpt_snaps_to_whole_words(make_story, contributor, equality):
    story = recorded_story(make_story)
    tag = tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(5.2, 12.0)
    )
    # The transcript has no word times, so its words are spread over each line by length:
    # "Nobody" is 4.0-5.0 (its middle is before 5.2), "council" ends at 12.07 (middle inside).
    assert tag.start_seconds == 5.0
    assert tag.end_seconds == pytest.approx(12.0667, abs=1e-3)
    assert tag.quote == "asked us what we needed at first. Then the council"
    assert tag.char_start is None


def test_a_recording_excerpt_cuts_at_the_engines_word_times(make_story, contributor, equality):
    story = recorded_story(make_story)
    segment = story.transcript.segments.get(index=2)
    segment.words = [
        {"start": 9.8, "end": 10.1, "text": "Then"},
        {"start": 10.1, "end": 10.3, "text": "the"},
        {"start": 10.3, "end": 11.0, "text": "council"},
        {"start": 11.2, "end": 11.6, "text": "came"},
        {"start": 11.6, "end": 11.8, "text": "and"},
        {"start": 11.8, "end": 12.9, "text": "listened."},
    ]
    segment.save()
    tag = tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(10.3, 11.7)
    )
    assert (tag.start_seconds, tag.end_seconds) == (10.3, 11.8)
    assert tag.quote == "council came and"


def test_a_reversed_or_instant_range_still_takes_a_word(make_story, contributor, equality):
    story = recorded_story(make_story)
    tag = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(9.5, 9.5))
    assert tag.quote == "Then"
    assert tag.start_seconds == 9.5
    other = Value.objects.get(slug="diversity")
    tag = tag_create(story=story, actor=contributor, code=other, excerpt=Excerpt.times(22, 3))
    assert tag.quote.startswith("church hall.") and tag.quote.endswith("Some of us")


def test_an_excerpt_never_starts_inside_a_redaction(make_story, contributor, equality):
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
    # A range from inside the hidden words takes in the whole mark, never part of it.
    tag = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(6.0, 9))
    assert (tag.start_seconds, tag.end_seconds) == (5.0, 9.5)
    assert tag.quote == "[redacted] at first."


def test_a_whole_story_tag_has_no_range(make_story, contributor):
    story = make_story(text=TEXT)
    theme = Theme.objects.create(name="Being heard")
    tag = tag_create(story=story, actor=contributor, code=theme)
    assert not tag.is_excerpt
    assert tag.theme == theme and tag.value is None


def test_a_recording_without_transcript_takes_only_whole_story_tags(
    make_story, contributor, equality
):
    story = make_story(kind=StoryKind.AUDIO, text="")
    with pytest.raises(CodingError, match="no transcript yet"):
        tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(0, 3))
    assert tag_create(story=story, actor=contributor, code=equality).pk


def test_a_selection_outside_the_text_or_of_blanks_is_refused(make_story, contributor, equality):
    story = make_story(text=TEXT)
    with pytest.raises(CodingError, match="outside the story"):
        tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(5, 999))
    blank = TEXT.index("  ")
    with pytest.raises(CodingError, match="no words"):
        tag_create(
            story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(blank, blank + 2)
        )


def test_the_same_code_on_the_same_excerpt_twice_is_refused(make_story, contributor, equality):
    story = make_story(text=TEXT)
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 18))
    with pytest.raises(CodingError, match="already tagged this excerpt"):
        tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 18))


def test_a_merged_theme_tags_as_the_theme_it_became(make_story, contributor):
    story = make_story(text=TEXT)
    target = Theme.objects.create(name="Isolation")
    source = Theme.objects.create(name="Loneliness", merged_into=target)
    assert tag_create(story=story, actor=contributor, code=source).theme == target


def test_editing_a_tag_changes_code_range_and_memo_and_keeps_who(make_story, contributor, equality):
    story = recorded_story(make_story)
    tag = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(0, 1))
    respect = Value.objects.get(slug="mutual-respect")
    tag = tag_update(
        tag=tag, actor=contributor, code=respect, excerpt=Excerpt.times(15, 26), memo="Phone-in."
    )
    tag.refresh_from_db()
    assert tag.value == respect
    assert (tag.start_seconds, tag.end_seconds) == (15.0, 26.0)
    assert tag.memo == "Phone-in."
    assert tag.updated_by == contributor
    assert tag_update(tag=tag, actor=contributor, excerpt=None).is_excerpt is False


def test_removing_a_tag_leaves_an_audit_row_without_the_words(make_story, contributor, equality):
    story = make_story(text=TEXT)
    tag = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 18))
    tag_delete(tag=tag, actor=contributor)
    assert not Tag.objects.filter(pk=tag.pk).exists()
    event = StoryEvent.objects.get(story_id=story.pk, action="tag.deleted")
    assert event.actor == contributor
    assert event.data["value"] == "equality"
    assert event.data["char_start"] == 0
    assert "We met" not in str(event.data)
