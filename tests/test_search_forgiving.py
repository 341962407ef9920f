"""Forgiving queries, on both backends: any form of a word or a theme's synonym, exact quotes."""

from __future__ import annotations

from search.api import search_stories
from search.query import parse_query
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex, theme


def ids(query: str) -> set[int]:
    return {h.story.pk for h in search_stories(audience=PUBLIC_AUDIENCE, query=query).hits}


def test_a_word_finds_its_kin_with_another_ending(search_backend, make_story):
    noun = make_story(title="Winter", text="The loneliness was hard that winter.")
    adjective = make_story(title="Evenings", text="I felt lonely in the evenings.")
    other = make_story(title="Market", text="The market was busy.")
    reindex(noun, adjective, other)

    assert ids("lonely") == {noun.pk, adjective.pk}
    assert ids("loneliness") == {noun.pk, adjective.pk}
    # Kin share a root: "hopeless" is not a form of "hopeful".
    hopeful = make_story(title="Spring", text="We were hopeful about the new centre.")
    hopeless = make_story(title="Closure", text="It felt hopeless when it closed.")
    reindex(hopeful, hopeless)
    assert ids("hopeful") == {hopeful.pk}


def test_a_theme_synonym_matches_in_any_inflection(search_backend, make_story):
    isolation = theme("Isolation", "loneliness")
    says_synonym = make_story(title="Winter", text="The loneliness was hard that winter.")
    says_other_form = make_story(title="Evenings", text="I felt so lonely in the evenings.")
    reindex(says_synonym, says_other_form)

    results = search_stories(audience=PUBLIC_AUDIENCE, query="lonely")
    assert results.interpreted == [isolation.name]
    assert {h.story.pk for h in results.hits} == {says_synonym.pk, says_other_form.pk}
    assert ids("isolated") == {says_synonym.pk, says_other_form.pk}


def test_quoted_phrases_stay_exact(search_backend, make_story):
    theme("Isolation", "loneliness")
    phrase = make_story(title="Flat", text="Nobody came to see me that year.")
    apart = make_story(title="Door", text="Nobody ever knocked, and then the nurse came.")
    lonely = make_story(title="Evenings", text="I felt lonely in the evenings.")
    reindex(phrase, apart, lonely)

    assert ids("nobody came") == {phrase.pk, apart.pk}
    assert ids('"nobody came"') == {phrase.pk}
    assert ids("“nobody came”") == {phrase.pk}
    # In quotes a word is itself: no theme, no kin.
    assert ids('"loneliness"') == set()
    assert ids('"lonely"') == {lonely.pk}


def test_the_parsed_query_says_what_it_looks_for(db):
    parsed = parse_query('garden "trust in services"')
    labels = [c.label for c in parsed.clauses]
    assert labels == ["“trust in services”", "garden"]
    exact = parsed.clauses[0]
    assert exact.phrases == ("trust in servic",)
    assert "loneli" in parse_query("lonely").clauses[0].phrases
    assert "hopeless" not in parse_query("hopeful").clauses[0].phrases
