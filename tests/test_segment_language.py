"""A transcript line in another language than the transcript's carries its own language: found
when the transcript is stored and again when the storyteller corrects the line, stemmed in it by
search (both backends), and marked with `lang` where the line is shown (WCAG 3.1.2)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coding import units
from public.within import find_in_story
from search import languages as search_languages
from search.api import search_stories
from search.documents import build_docs
from search.text import stem
from stories import languages
from stories.languages import line_language, part_lang
from stories.models import Segment, StoryKind, Transcript
from stories.transcript_edits import (
    transcript_edit_undo,
    transcript_line_split,
    transcript_words_replace,
)
from stories.transcripts import transcript_replace, transcript_segment_edit
from stories.visibility import PUBLIC_AUDIENCE
from storyteller.views.review import lines_context
from tests import public_site as site
from tests.search_support import reindex
from tests.transcribe_helpers import story_with_media
from transcribe import services, synth
from transcribe.engines import Segment as HeardSegment
from transcribe.engines import TranscriptionResult
from transcribe.models import TranscriptionJob

ENGLISH = "We moved to the city when I was small and my mother worked nights."
SPANISH = "Las casas de mi abuela estaban llenas de flores y de gente."
FRENCH = "Nous avons déménagé à Paris quand j'étais petite, avec ma mère."
WELSH = "Roedd fy nain yn byw mewn tŷ bach ger yr afon yn y pentref."
MORE_ENGLISH = "She used to bring soup round when we were shielding."


def test_a_line_in_another_language_is_named():
    assert line_language(SPANISH, "en") == "es"
    assert line_language(FRENCH, "en") == "fr"
    assert line_language(ENGLISH, "es") == "en"
    assert line_language(ENGLISH, "") == "en"  # no transcript language: any sure finding


def test_welsh_is_told_apart_from_english():
    assert line_language(WELSH, "en") == "cy"
    assert line_language(ENGLISH, "cy") == "en"


def test_a_line_in_the_transcripts_own_language_keeps_it():
    assert line_language(ENGLISH, "en") == ""
    assert line_language(ENGLISH, "en-GB") == ""
    assert line_language(SPANISH, "es") == ""
    assert line_language(WELSH, "cy") == ""


@pytest.mark.parametrize(
    "short", ["Gracias por todo.", "Yes I know.", "ok so yeah", "Sí, sí, claro que sí", ""]
)
def test_a_line_too_short_to_judge_keeps_the_transcripts_language(short):
    assert line_language(short, "en") == ""


def test_short_english_lines_are_never_taken_for_another_language():
    for line in [
        "and then we went home after that",
        "the youth club was everything to us",
        "It was lonely, proper lonely, during the lockdown.",
        "My nan came over in 1962 from Jamaica on the boat.",
    ]:
        assert line_language(line, "en") == "", line


def test_the_identifier_weighs_every_language_search_stems():
    from search.text import SNOWBALL

    known = set(languages._loaded().labels)
    assert {code for code in SNOWBALL if code in known} <= languages.LINE_LANGUAGES


def test_the_identifier_is_not_loaded_when_the_app_starts():
    # Loading it takes a second: only the first line judged pays, never a start-up.
    code = (
        "import sys, django; django.setup(); "
        "import stories.transcripts, search.documents, public.reads, coding.units; "
        "print('py3langid' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "False"


def test_part_lang_names_only_what_differs_from_the_page():
    assert part_lang("es", "en") == "es"
    assert part_lang("", "en", "fr") == ""  # the transcript is English: nothing to mark
    assert part_lang("", "", "fr") == "fr"
    assert part_lang("en-GB") == ""
    assert part_lang("", "") == ""


# -------------------------------------------------------------------------- stored


def store(story, *lines: str, language: str = "en") -> Transcript:
    return transcript_replace(
        story=story,
        segments=[(i * 5.0, i * 5.0 + 4.0, text, 0.9, None) for i, text in enumerate(lines)],
        engine="faster-whisper",
        model_name="base",
        language=language,
        language_probability=0.98,
        duration=5.0 * len(lines),
        note="",
    )


@pytest.fixture
def recorded(make_story):
    """A published recording whose English transcript has a Spanish line."""
    story = site.attach_recording(make_story(title="Abuela's house", kind=StoryKind.AUDIO, text=""))
    store(story, ENGLISH, SPANISH, MORE_ENGLISH)
    return story


def spoken(story) -> list[str]:
    return list(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("language", flat=True)
    )


def test_a_stored_transcript_marks_its_lines_in_another_language(recorded):
    assert spoken(recorded) == ["", "es", ""]


@pytest.mark.django_db
def test_a_finished_transcription_marks_its_lines(storyteller, monkeypatch, tmp_path):
    story = story_with_media(storyteller, synth.speak("Hello.", tmp_path / "hello.wav"))
    heard = TranscriptionResult(
        (HeardSegment(0.0, 4.0, ENGLISH, 0.9), HeardSegment(4.0, 8.0, SPANISH, 0.9)),
        "en",
        0.97,
        8.0,
        "faster-whisper",
        "base",
    )

    class Engine:
        name, model_name = "faster-whisper", "base"

        def transcribe(self, audio, *, language=None, progress=None):
            return heard

    monkeypatch.setattr(services, "_engine", lambda config: Engine())
    job = TranscriptionJob.objects.get(story=story)
    assert services.transcription_run(job_id=job.pk, worker="test:1") == "done"

    assert spoken(story) == ["", "es"]


def test_a_corrected_line_is_judged_again(recorded, storyteller):
    line = Segment.objects.get(transcript__story=recorded, index=1)

    transcript_segment_edit(segment=line, text=MORE_ENGLISH, actor=storyteller)
    assert spoken(recorded) == ["", "", ""]

    first = Segment.objects.get(transcript__story=recorded, index=0)
    transcript_segment_edit(segment=first, text=FRENCH, actor=storyteller)
    assert spoken(recorded) == ["fr", "", ""]


def test_replacing_splitting_and_undoing_keep_each_line_in_its_language(recorded, storyteller):
    transcript = Transcript.objects.get(story=recorded)
    transcript_words_replace(
        transcript=transcript,
        find=MORE_ENGLISH,
        replacement="Mi madre trabajaba en la fábrica de conservas.",
        actor=storyteller,
    )
    assert spoken(recorded) == ["", "es", "es"]

    transcript_edit_undo(transcript=transcript, actor=storyteller)
    assert spoken(recorded) == ["", "es", ""]

    line = Segment.objects.get(transcript__story=recorded, index=1)
    transcript_line_split(segment=line, at=SPANISH.index("estaban"), actor=storyteller)
    # "Las casas de mi abuela" is too short to judge alone; the rest stays Spanish.
    assert spoken(recorded) == ["", "", "es", ""]


# -------------------------------------------------------------------------- search


def test_the_document_stems_each_line_in_its_own_language(recorded):
    [doc], _gone = build_docs([recorded.pk])
    english, spanish, _ = doc.passages
    # Spanish rules: "casas" and "casa" share a stem, which English rules would not give.
    assert stem("casa", "es") in spanish.stem.split()
    assert stem("casas", "en") not in spanish.stem.split()
    assert "abuel" in spanish.stem.split()
    assert "move" in english.stem.split()  # English rules: "moved" -> "move"


def test_the_languages_searched_include_those_of_lines(recorded):
    search_languages.forget()
    assert "spanish" in search_languages.analysed()


def test_a_spanish_line_is_found_by_another_form_of_its_words(search_backend, recorded):
    search_languages.forget()
    reindex(recorded)

    results = search_stories(audience=PUBLIC_AUDIENCE, query="casa", match="words")
    assert [h.story.pk for h in results.hits] == [recorded.pk]
    assert "<mark>casas</mark>" in (results.hits[0].snippets[0].html or "")


def test_find_in_a_story_stems_a_line_in_its_own_language():
    lines = [
        Segment(index=0, start=0.0, end=3.0, text=ENGLISH),
        Segment(index=1, start=3.0, end=6.0, text=SPANISH, language="es"),
    ]
    [hit] = find_in_story(lines, "casa", "en").hits
    assert hit.segment.index == 1
    assert "<mark>casas</mark>" in hit.marked


# -------------------------------------------------------------------------- pages


def test_the_story_page_marks_the_line_in_another_language(client, recorded):
    html = client.get(site._story_address(recorded)).content.decode()

    assert f'<span lang="es">{SPANISH}</span>' in html
    assert html.count('lang="es"') == 1  # the English lines are the page's language

    found = client.get(site._story_address(recorded) + "?q=casa").content.decode()
    assert 'class="hit-text" lang="es"' in found


def test_a_story_told_in_another_language_marks_every_line(client, make_story):
    story = site.attach_recording(make_story(title="Mi barrio", kind=StoryKind.AUDIO, text=""))
    store(story, SPANISH, language="es")

    html = client.get(site._story_address(story)).content.decode()
    assert f'<span lang="es">{SPANISH}</span>' in html


def test_the_studio_and_the_coding_screen_mark_the_line(recorded):
    transcript = Transcript.objects.get(story=recorded)
    assert [line.lang for line in lines_context(recorded, transcript)["lines"]] == ["", "es", ""]
    assert [unit.lang for unit in units.story_units(recorded)] == ["", "es", ""]
