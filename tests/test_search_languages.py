"""Each story is stemmed in its own language, and a query in every language the archive holds
(run against both backends: the database and a real Elasticsearch node)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

from public.within import find_in_story
from search import text as textmod
from search.api import search_stories
from search.documents import build_docs
from search.types import SearchFilters
from stories.models import Segment, Story, StoryChange, Transcript
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex


def told_in(story, language: str):
    Story.objects.filter(pk=story.pk).update(language=language)
    story.refresh_from_db()
    return story


def found(query: str, **filters) -> set[int]:
    # By words only: a search by meaning finds more, across languages.
    results = search_stories(
        audience=PUBLIC_AUDIENCE,
        query=query,
        filters=SearchFilters.from_mapping(filters),
        match="words",
    )
    return {h.story.pk for h in results.hits}


def test_a_french_story_is_found_by_another_form_of_its_words(search_backend, make_story):
    french = told_in(
        make_story(title="Notre rue", text="Les maisons de notre rue étaient vides."), "fr"
    )
    english = make_story(title="Our street", text="The houses on our street were empty.")
    reindex(french, english)

    assert found("maison") == {french.pk}
    assert found("maisons") == {french.pk}
    [hit] = search_stories(audience=PUBLIC_AUDIENCE, query="maison", match="words").hits
    assert "<mark>maisons</mark>" in (hit.snippets[0].html or "")


def test_a_german_story_is_found_by_another_form_of_its_words(search_backend, make_story):
    german = told_in(
        make_story(title="Im Dorf", text="Die Häuser standen leer, die Kindern spielten."), "de"
    )
    reindex(german)

    assert found("Haus") == {german.pk}
    assert found("Kind") == {german.pk}


def test_english_words_still_find_their_kin_beside_other_languages(search_backend, make_story):
    lonely = make_story(title="Winter", text="The loneliness of those months stayed with me.")
    french = told_in(make_story(title="Hiver", text="La solitude de ces mois."), "fr")
    reindex(lonely, french)

    assert found("lonely") == {lonely.pk}
    assert found("solitudes") == {french.pk}


def test_a_welsh_story_keeps_its_own_words(search_backend, make_story):
    # Snowball has no Welsh stemmer: the English one would cut "merched" (girls) to "merch"
    # (girl) and "chwarae" (to play) to "chwara".
    welsh = told_in(
        make_story(title="Y parc", text="Roedd y merched yn chwarae yn y parc bob dydd."), "cy"
    )
    reindex(welsh)

    assert found("merched") == {welsh.pk}
    assert found("chwarae") == {welsh.pk}
    assert found("merch") == set()
    [doc], _gone = build_docs([welsh.pk])
    assert " merched " in f" {doc.all_stem} "
    assert " chwarae " in f" {doc.all_stem} "


def test_a_transcript_is_stemmed_in_the_language_heard(search_backend, make_story):
    story = make_story(title="Recorded", text="")
    transcript = Transcript.objects.create(story=story, language="fr", engine="import")
    Segment.objects.create(
        transcript=transcript, index=0, start=0.0, end=4.0, text="Les maisons étaient froides."
    )
    reindex(story)

    assert found("maison") == {story.pk}
    [doc], _gone = build_docs([story.pk])
    assert doc.passages[0].stem.split()[:2] == ["le", "maison"]


def test_the_language_facet_counts_each_story_once(search_backend, make_story):
    stories = {
        language: told_in(make_story(title=f"Story {language}", text=text), language)
        for language, text in [
            ("en", "We kept the garden going."),
            ("fr", "Nous avons gardé le jardin."),
            ("de", "Wir haben den Garten gepflegt."),
            ("cy", "Fe gadwon ni'r ardd."),
        ]
    }
    reindex(*stories.values())

    results = search_stories(audience=PUBLIC_AUDIENCE, query="", match="words")
    assert {f.key: f.count for f in results.facets["language"]} == {
        "en": 1,
        "fr": 1,
        "de": 1,
        "cy": 1,
    }
    assert found("jardins", language=["fr"]) == {stories["fr"].pk}
    assert found("", language=["cy"]) == {stories["cy"].pk}


def test_languages_are_stemmed_by_their_own_rules():
    assert textmod.analysis("fr") == "french"
    assert textmod.analysis("pt-BR") == "portuguese"
    assert textmod.analysis("cy") == textmod.PLAIN
    assert textmod.analysis("") == textmod.PLAIN
    assert textmod.stem("maisons", "fr") == "maison"
    assert textmod.stem("merched", "cy") == "merched"
    assert textmod.stem("dŵr", "cy") == "dwr"
    assert textmod.stem("loneliness") == textmod.stem("loneliness", "en") == "loneli"


def test_find_in_a_story_stems_in_its_language():
    lines = [Segment(index=0, start=0.0, end=3.0, text="Les enfants chantaient ensemble.")]

    [hit] = find_in_story(lines, "chanter", "fr").hits
    assert "<mark>chantaient</mark>" in hit.marked
    # English rules leave "chantaient" and "chanter" apart.
    assert find_in_story(lines, "chanter", "en").hits == []


def test_the_migration_queues_the_stories_told_or_heard_in_another_language(db, make_story):
    migration = import_module("search.migrations.0010_stems_in_each_language")
    english = make_story(title="English")
    french = told_in(make_story(title="Français"), "fr")
    heard = make_story(title="Heard in Welsh")
    Transcript.objects.create(story=heard, language="cy", engine="import")
    StoryChange.objects.all().delete()

    migration.queue_reindex(apps, None)

    queued = set(StoryChange.objects.values_list("story_id", flat=True))
    assert queued == {french.pk, heard.pk}
    assert english.pk not in queued
