"""A line's language: found again for transcripts saved before lines had one (the
`detect_line_languages` command), and set by the storyteller where detection is wrong."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from stories import services
from stories.models import EditKind, Segment, StoryChange, StoryStatus, Transcript, TranscriptEdit
from stories.transcript_edits import line_language_set, transcript_edit_undo
from stories.transcripts import transcript_segment_edit

pytestmark = pytest.mark.django_db

ENGLISH = "We moved to the city when I was small and my mother worked nights."
SPANISH = "Las casas de mi abuela estaban llenas de flores y de gente."
FRENCH = "Nous avons déménagé à Paris quand j'étais petite, avec ma mère."
SHORT = "Sí, claro."


@pytest.fixture
def story(make_story):
    story = make_story(status="draft", kind="audio", text="")
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    transcript = Transcript.objects.create(story=story, engine="faster-whisper", language="en")
    # Saved as before lines had a language: every line carries "" (the transcript's).
    for index, text in enumerate([ENGLISH, SPANISH, FRENCH, SHORT]):
        Segment.objects.create(
            transcript=transcript, index=index, start=index * 5.0, end=index * 5.0 + 4, text=text
        )
    return story


def line(story, index: int) -> Segment:
    return Segment.objects.get(transcript__story=story, index=index)


def languages(story) -> list[str]:
    return list(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("language", flat=True)
    )


def detect(*args: str) -> str:
    out = StringIO()
    call_command("detect_line_languages", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_finds_the_lines_in_another_language_once(story):
    StoryChange.objects.all().delete()
    assert detect() == (
        "Checked 4 lines in 1 transcripts; 2 lines now carry their own language; "
        "1 stories queued for search."
    )
    assert languages(story) == ["", "es", "fr", ""]
    assert StoryChange.objects.filter(story_id=story.pk).count() == 1
    StoryChange.objects.all().delete()
    assert detect() == (
        "Checked 4 lines in 1 transcripts; 0 lines now carry their own language; "
        "0 stories queued for search."
    )
    assert not StoryChange.objects.exists()  # nothing changed: search has nothing to redo


def test_a_dry_run_only_counts(story):
    StoryChange.objects.all().delete()
    assert detect("--dry-run").startswith("Dry run, nothing written: Checked 4 lines")
    assert "2 lines would carry their own language" in detect("--dry-run")
    assert languages(story) == ["", "", "", ""]
    assert not StoryChange.objects.exists()


def test_the_command_keeps_a_language_a_person_set_and_can_be_limited(story, make_story):
    Segment.objects.filter(pk=line(story, 1).pk).update(language="pt", language_set=True)
    other = make_story(status="draft", kind="audio", text="")
    Segment.objects.create(
        transcript=Transcript.objects.create(story=other, language="en"),
        index=0,
        start=0,
        end=1,
        text=SPANISH,
    )
    summary = detect("--story", str(story.pk))
    assert summary.startswith("Checked 3 lines in 1 transcripts; 1 lines now carry")
    assert languages(story) == ["", "pt", "fr", ""]
    assert languages(other) == [""]  # not asked for


def test_the_storyteller_sets_and_clears_a_lines_language(story, storyteller):
    StoryChange.objects.all().delete()
    short = line_language_set(segment=line(story, 3), language="es", actor=storyteller)
    assert (short.language, short.language_set) == ("es", True)
    assert StoryChange.objects.filter(story_id=story.pk).exists()
    assert TranscriptEdit.objects.get().kind == EditKind.LANGUAGE
    # A later correction keeps the person's choice; so does the backfill.
    transcript_segment_edit(segment=line(story, 3), text="Sí, claro que sí.", actor=storyteller)
    detect()
    assert (line(story, 3).language, line(story, 3).language_set) == ("es", True)
    # "Same as the recording" gives the line back to detection.
    cleared = line_language_set(segment=line(story, 3), language="", actor=storyteller)
    assert (cleared.language, cleared.language_set) == ("", False)


def test_choosing_the_recordings_language_stops_a_wrong_detection(story, storyteller):
    detect()
    kept = line_language_set(segment=line(story, 1), language="en", actor=storyteller)
    assert (kept.language, kept.language_set) == ("", True)
    detect()
    assert line(story, 1).language == ""


def test_a_language_set_can_be_undone(story, storyteller):
    line_language_set(segment=line(story, 0), language="cy", actor=storyteller)
    transcript_edit_undo(transcript=story.transcript, actor=storyteller)
    assert (line(story, 0).language, line(story, 0).language_set) == ("", False)


def test_only_the_storyteller_sets_a_lines_language(story, curator, stranger):
    for someone in (curator, stranger):
        with pytest.raises(PermissionDenied):
            line_language_set(segment=line(story, 0), language="es", actor=someone)
    assert languages(story) == ["", "", "", ""]


def test_the_page_then_marks_the_line(client, story, storyteller):
    line_language_set(segment=line(story, 3), language="es", actor=storyteller)
    client.force_login(storyteller)
    page = client.get(reverse("storyteller:review", args=[story.pk])).content.decode()
    assert 'lang="es"><span data-w="1">Sí,</span>' in page


def test_the_form_works_without_javascript_and_lands_on_the_line(client, story, storyteller):
    client.force_login(storyteller)
    target = line(story, 3)
    page = client.get(reverse("storyteller:review", args=[story.pk])).content.decode()
    assert f'<label for="language-{target.pk}">Language of line 4</label>' in page
    assert '<option value="" selected>Same as the recording (en)</option>' in page
    address = reverse("storyteller:line_language", args=[story.pk, target.pk])
    response = client.post(address, {"language": "fr"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#segment-{target.pk}")
    assert line(story, 3).language == "fr"
    page = client.get(response["Location"]).content.decode()
    assert "Line 4: language saved." in page
    assert '<option value="fr" selected>French</option>' in page


def test_an_unknown_language_is_refused_clearly(client, story, storyteller):
    client.force_login(storyteller)
    address = reverse("storyteller:line_language", args=[story.pk, line(story, 3).pk])
    response = client.post(address, {"language": "xx"}, follow=True)
    assert "“xx” is not one of the listed languages" in response.content.decode()
    refused = client.post(address, {"language": "klingon"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "Choose one from the list" in refused.json()["error"]
    assert line(story, 3).language == ""


def test_others_cannot_reach_the_form(client, story, curator):
    client.force_login(curator)
    address = reverse("storyteller:line_language", args=[story.pk, line(story, 3).pk])
    assert client.post(address, {"language": "es"}).status_code in (403, 404)
    assert line(story, 3).language == ""
