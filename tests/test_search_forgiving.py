"""Forgiving queries, on both backends: any form of a word or a theme's synonym, exact quotes."""

from __future__ import annotations

import re

from django.urls import reverse

from search.api import search_stories
from search.corrections import did_you_mean, related_themes
from search.query import parse_query
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex, tag, theme


def ids(query: str) -> set[int]:
    """What the words find (search by meaning, which would add "hopeless" to "hopeful", is
    tested in test_search_meaning)."""
    found = search_stories(audience=PUBLIC_AUDIENCE, query=query, match="words")
    return {h.story.pk for h in found.hits}


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

    results = search_stories(audience=PUBLIC_AUDIENCE, query="lonely", match="words")
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


def test_did_you_mean_offers_the_archives_own_words_that_find_stories(search_backend, make_story):
    allotment = make_story(title="Allotment days", text="We were gardening every Tuesday.")
    reindex(allotment)

    found = did_you_mean(audience=PUBLIC_AUDIENCE, query="alotment")
    assert [(c.query, c.total) for c in found] == [("allotment", 1)]
    # Quoted words are left as written; known words need no correction.
    assert did_you_mean(audience=PUBLIC_AUDIENCE, query="allotment") == []
    assert [
        c.query for c in did_you_mean(audience=PUBLIC_AUDIENCE, query='"tuesday" alotment')
    ] == ['"tuesday" allotment']


def test_did_you_mean_never_names_a_word_only_a_hidden_story_holds(search_backend, make_story):
    public = make_story(title="Allotment days", text="We were gardening.")
    sealed = make_story(
        title="Chemotherapy diary", text="The chemotherapy ward.", consent={"public": False}
    )
    reindex(public, sealed)

    assert did_you_mean(audience=PUBLIC_AUDIENCE, query="chemoterapy") == []
    assert [c.query for c in did_you_mean(audience=PUBLIC_AUDIENCE, query="alotment")] == [
        "allotment"
    ]


def test_related_themes_are_neighbours_that_find_stories(search_backend, make_story):
    health = theme("Health")
    isolation = theme("Isolation", "loneliness")
    isolation.parent = health
    isolation.save()
    shielding = theme("Shielding")
    shielding.parent = health
    shielding.save()
    empty = theme("Hospital visits")
    empty.parent = health
    empty.save()
    story = make_story(title="Behind the door", text="Twelve weeks shielding.")
    tag(story, shielding)
    reindex(story)

    found = related_themes(audience=PUBLIC_AUDIENCE, query="lonely")
    assert [(t.name, t.total) for t in found] == [("Shielding", 1)]
    assert related_themes(audience=PUBLIC_AUDIENCE, query="garden") == []


def test_the_page_offers_corrections_without_javascript(client, search_backend, make_story):
    reindex(make_story(title="Allotment days", text="We were gardening."))

    html = client.get(reverse("search:public"), {"q": "alotment"}).content.decode()
    assert "No stories found for “alotment”" in html
    assert re.search(r'Did you mean\s*<a href="\?q=allotment">allotment</a> \(1 story\)\?', html)
