"""Chapters: who may divide a story, the checks on each chapter, and suggestions from the
transcript's real timings."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coding.reads import tagged_excerpts
from stories import services
from stories.chapter_forms import ChapterForm, parse_moment
from stories.chapter_suggestions import Excerpt, story_suggestions, suggest_chapters
from stories.chapters import chapter_delete, chapter_save
from stories.models import Chapter, StoryChange, StoryKind
from tests import public_site as site

pytestmark = pytest.mark.django_db

CUES = site.cues_of(site.RECORDING)  # the demo recording's real timings (about 20 s)


@pytest.fixture
def recorded(make_story):
    story = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    return site.attach_recording(story)


def test_a_curator_divides_any_story_and_the_change_log_follows(recorded, curator):
    StoryChange.objects.all().delete()  # as if the drain had taken every waiting row

    chapter = chapter_save(
        actor=curator,
        story=recorded,
        start=5.0,
        end=10.0,
        title="  The knock   on the door ",
        synopsis="A neighbour asks for help.",
        keywords="neighbour, , chairs ",
        values=[site.value()],
        themes=[site.theme()],
    )

    chapter.refresh_from_db()
    assert chapter.title == "The knock on the door"
    assert chapter.keyword_list == ["neighbour", "chairs"]
    assert list(chapter.values.all()) == [site.value()]
    assert list(chapter.themes.all()) == [site.theme()]
    assert chapter.created_by == curator
    assert StoryChange.objects.filter(story_id=recorded.pk).count() == 1


def test_the_storyteller_divides_their_own_story(recorded, storyteller):
    chapter_save(actor=storyteller, story=recorded, start=0, title="Long quiet days")
    assert Chapter.objects.filter(story=recorded).count() == 1


@pytest.mark.parametrize("who", ["contributor", "researcher", "stranger", "other_teller"])
def test_nobody_else_may_change_chapters(recorded, curator, who, request, django_user_model):
    if who == "other_teller":
        from tests.conftest import make_user

        person = make_user(django_user_model, "otto", "storyteller")
    else:
        person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        chapter_save(actor=person, story=recorded, start=0, title="Not mine")
    made = chapter_save(actor=curator, story=recorded, start=1, title="Theirs")
    with pytest.raises(PermissionDenied):
        chapter_delete(actor=person, chapter=made)
    assert Chapter.objects.filter(story=recorded).count() == 1


def test_a_withdrawn_story_has_no_chapters_to_change(recorded, storyteller, curator):
    chapter_save(actor=storyteller, story=recorded, start=1, title="Before")
    services.consent_withdraw(story=recorded, actor=storyteller)
    recorded.refresh_from_db()
    assert not Chapter.objects.filter(story=recorded).exists()  # erased on withdrawal
    with pytest.raises(PermissionDenied):
        chapter_save(actor=storyteller, story=recorded, start=2, title="After")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start": 25.0}, "start", "The recording is 0:20 long: start the chapter before that."),
        ({"start": -1.0}, "start", "A chapter cannot start before the recording does."),
        ({"start": 5.0, "end": 5.0}, "end", "A chapter must end after it starts."),
        ({"start": 5.0, "end": 60}, "end", "The recording is 0:20 long: end the chapter by then."),
        ({"start": 3.0}, "start", "Another chapter already starts at 0:03."),
        ({"start": 7.0, "title": "   "}, "title", "Give the chapter a title."),
    ],
)
def test_each_check_names_the_field_and_says_what_to_do(recorded, curator, fields, field, message):
    chapter_save(actor=curator, story=recorded, start=3.0, title="First")
    asked = {"title": "A chapter", **fields}
    with pytest.raises(ValidationError) as error:
        chapter_save(actor=curator, story=recorded, **asked)
    assert error.value.message_dict == {field: [message]}
    assert Chapter.objects.filter(story=recorded).count() == 1


def test_a_chapter_keeps_its_own_start_when_edited(recorded, curator):
    chapter = chapter_save(actor=curator, story=recorded, start=3.0, title="First")
    chapter_save(actor=curator, story=recorded, chapter=chapter, start=3.0, title="Renamed")
    assert Chapter.objects.get(pk=chapter.pk).title == "Renamed"


def test_deleting_a_chapter_writes_the_change_log(recorded, curator):
    chapter = chapter_save(actor=curator, story=recorded, start=3.0, title="First")
    StoryChange.objects.all().delete()  # as if the drain had taken every waiting row
    chapter_delete(actor=curator, chapter=chapter)
    assert not Chapter.objects.filter(pk=chapter.pk).exists()
    assert StoryChange.objects.filter(story_id=recorded.pk).count() == 1


def test_suggestions_start_where_the_recording_begins_and_after_pauses():
    # The demo speech has 0.45 s between lines: no pause of two seconds, so only the start.
    found = suggest_chapters(CUES)
    assert [(s.start, s.title) for s in found] == [
        (CUES[0].start, "After my wife died, the days were…")
    ]
    assert found[0].reason == "The recording begins."
    # Shorter pauses count when asked, ten seconds apart at least.
    found = suggest_chapters(CUES, pause=0.4, spacing=10.0)
    assert [s.start for s in found] == [CUES[0].start, CUES[2].start]
    gap = CUES[2].start - CUES[1].end
    assert found[1].reason == f"A pause of {gap:.1f} seconds before these words."
    assert found[1].title == "Now I make the tea at the…"


def test_a_tagged_excerpt_suggests_a_chapter_with_its_terms():
    excerpt = Excerpt(start=CUES[3].start + 0.2, end=CUES[3].end, label="Isolation", theme_ids=(7,))
    found = suggest_chapters(CUES, excerpts=[excerpt], taken=[CUES[0].start + 0.5])
    # The first line is taken by a chapter already; the excerpt's line is suggested.
    assert [(s.start, s.reason, s.theme_ids) for s in found] == [
        (CUES[3].start, "Tagged with Isolation.", (7,))
    ]
    assert found[0].title == "Forty people come, and nobody there has…"


def test_suggestions_come_from_the_stored_transcript_and_its_tags(recorded, curator):
    site.tag(recorded, value=site.value(), start_seconds=CUES[1].start, end_seconds=CUES[1].end)
    found = story_suggestions(recorded, tagged_excerpts(recorded))
    assert [s.start for s in found] == [CUES[0].start, CUES[1].start]
    assert found[1].value_ids == (site.value().pk,)
    chapter_save(actor=curator, story=recorded, start=CUES[1].start, title="Taken")
    assert [s.start for s in story_suggestions(recorded)] == [CUES[0].start]


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("65", 65.0), ("1:05", 65.0), ("1:02:03", 3723.0), ("0:15.5", 15.5), ("soon", None)],
)
def test_moments_are_typed_as_people_read_them(typed, seconds):
    assert parse_moment(typed) == seconds


def test_the_form_reads_moments_and_puts_the_story_checks_on_its_fields(recorded, curator):
    form = ChapterForm({"start": "0:05", "end": "0:03", "title": "Backwards"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == 5.0
    assert form.save_for(actor=curator, story=recorded) is None
    assert form.errors == {"end": ["A chapter must end after it starts."]}
    form = ChapterForm({"start": "soon", "title": "Whenever"})
    assert not form.is_valid()
    assert form.errors == {"start": ["Write the moment as minutes:seconds, for example 1:05."]}
