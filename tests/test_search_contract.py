"""The search contract, run against both backends (database and a real Elasticsearch node)."""

from __future__ import annotations

import datetime

from public.models import HomePage
from research.links import story_urls
from search.api import related_stories, search_stories, suggest
from search.types import SearchFilters
from stories.models import CollectionPage, CollectionStory, Story
from stories.visibility import PUBLIC_AUDIENCE, audience_for
from tests.search_support import add_transcript, reindex, tag, theme, value


def ids(results) -> set[int]:
    return {h.story.pk for h in results.hits}


def find(query="", audience=PUBLIC_AUDIENCE, **kwargs):
    filters = kwargs.pop("filters", None)
    if isinstance(filters, dict):
        filters = SearchFilters.from_mapping(filters)
    return search_stories(audience=audience, query=query, filters=filters, **kwargs)


def test_a_word_finds_its_other_forms(search_backend, make_story):
    gardening = make_story(title="Allotment days", text="We were gardening every Tuesday.")
    gardens = make_story(title="Green streets", text="The gardens behind the shops grew.")
    other = make_story(title="The bus route", text="The number 12 stopped running.")
    reindex(gardening, gardens, other)

    assert ids(find("garden")) == {gardening.pk, gardens.pk}
    assert ids(find("Gardeners")) == {gardening.pk, gardens.pk}
    assert ids(find("stops")) == {other.pk}
    assert ids(find("swimming")) == set()


def test_every_word_of_a_short_query_must_be_there(search_backend, make_story):
    both = make_story(title="One", text="Our garden group met on Tuesdays.")
    one = make_story(title="Two", text="The garden was empty.")
    reindex(both, one)

    assert ids(find("garden tuesday")) == {both.pk}
    # Three clauses in four are enough for longer queries.
    assert ids(find("garden group tuesday swimming")) == {both.pk}


def test_a_theme_is_found_by_its_name_synonyms_and_tags(search_backend, make_story):
    isolation = theme("Isolation", "loneliness", "cut off")
    says_synonym = make_story(title="Winter", text="The loneliness was hard that winter.")
    says_phrase = make_story(title="Flat", text="We were cut off from everyone.")
    tagged = make_story(title="Quiet", text="Nobody came round for months.")
    unrelated = make_story(title="Market", text="The market was busy and cut prices.")
    tag(tagged, isolation)
    reindex(says_synonym, says_phrase, tagged, unrelated)

    expected = {says_synonym.pk, says_phrase.pk, tagged.pk}
    assert ids(find("isolation")) == expected
    assert ids(find("Loneliness")) == expected
    assert find("isolation").interpreted == ["Isolation"]


def test_a_merged_theme_answers_for_the_theme_that_absorbed_it(search_backend, make_story):
    isolation = theme("Isolation")
    solitude = theme("Solitude")
    old = make_story(title="Alone", text="Days on my own.")
    new = make_story(title="Apart", text="Weeks apart from family.")
    tag(old, solitude)
    tag(new, isolation)
    solitude.merged_into = isolation
    solitude.save()
    reindex(old, new)

    assert ids(find("solitude")) == {old.pk, new.pk}
    assert ids(find(filters={"theme": ["isolation"]})) == {old.pk, new.pk}
    assert ids(find(filters={"theme": ["solitude"]})) == {old.pk, new.pk}
    facet = find().facets["theme"]
    assert [(f.key, f.count) for f in facet] == [("isolation", 2)]


def test_snippets_link_to_the_moment_in_the_player(search_backend, make_story):
    story = make_story(title="Bus stories", kind="audio", text="")
    add_transcript(
        story,
        [
            (0.0, 4.0, "I grew up by the river."),
            (4.0, 9.5, "Then the buses stopped coming."),
            (83.5, 90.0, "After that the gardening club kept us going."),
        ],
    )
    reindex(story)

    [hit] = find("gardens").hits
    [snippet] = hit.snippets
    assert snippet.start == 83.5
    assert snippet.timecode == "1:23"
    assert "<mark>gardening</mark>" in snippet.html
    # Search returns the moment; the pages build its link (which plays from that second).
    story_url = story_urls()
    assert "t=83.5" in story_url(hit.story, at=snippet.start)
    assert story_url(hit.story, at=snippet.start).startswith(story_url(hit.story))


def test_moments_tagged_with_a_chosen_theme_are_snippets(search_backend, make_story):
    shielding = theme("Shielding")
    story = make_story(title="Spring", kind="audio", text="")
    add_transcript(
        story, [(0.0, 30.0, "We talked about the weather."), (30.0, 61.0, "I stayed in.")]
    )
    tag(story, shielding, start=35.0, end=50.0)
    reindex(story)

    [hit] = find(filters={"theme": ["shielding"]}).hits
    assert [s.start for s in hit.snippets] == [30.0]


def test_facets_add_up(search_backend, make_story, researcher):
    equality = value(1)
    respect = value(14)
    stories = []
    for i, (kind, year, language) in enumerate(
        [("text", 2019, "en"), ("audio", 2020, "en"), ("audio", 2020, "es"), ("video", 2021, "en")]
    ):
        story = make_story(title=f"Story {i}", kind=kind, text=f"Story number {i} about change.")
        Story.objects.filter(pk=story.pk).update(
            told_on=datetime.date(year, 5, 1), language=language
        )
        stories.append(story)
    tag(stories[0], equality)
    tag(stories[1], equality)
    tag(stories[1], respect)
    tag(stories[2], respect)
    reindex(*stories)

    results = find("change", per_page=2)
    assert results.total == 4
    assert len(results.hits) == 2
    for facet in ("kind", "year", "language"):
        assert sum(f.count for f in results.facets[facet]) == 4, facet
    assert {f.key: f.count for f in results.facets["kind"]} == {"text": 1, "audio": 2, "video": 1}
    assert {f.key: f.count for f in results.facets["year"]} == {"2019": 1, "2020": 2, "2021": 1}
    assert {f.key: f.count for f in results.facets["value"]} == {equality.slug: 2, respect.slug: 2}
    groups = {f.key: f.count for f in results.facets["value_group"]}
    assert groups == {"aims": 2, "conduct": 2}

    chosen = find("change", filters={"value": [equality.slug]})
    assert chosen.total == 2
    assert [f.selected for f in chosen.facets["value"] if f.key == equality.slug] == [True]
    # Within a facet any chosen key will do; across facets all must.
    either = find(filters={"value": [equality.slug, respect.slug]})
    assert either.total == 3
    assert find(filters={"value": [equality.slug], "kind": ["audio"]}).total == 1
    assert find(filters={"year": ["2020"], "language": ["es"]}).total == 1
    assert find(filters={"theme": ["no-such-theme"]}).total == 0


def test_collections_and_projects_are_facets(search_backend, make_story, project):
    story = make_story(title="Collected", text="A story in a collection.")
    loose = make_story(title="Loose", text="A story on its own.")
    collection = HomePage.objects.first().add_child(
        instance=CollectionPage(title="Kitchen tables", slug="kitchen-tables")
    )
    CollectionStory.objects.create(page=collection, story=story)
    reindex(story, loose)

    results = find("story")
    assert {f.key: f.count for f in results.facets["collection"]} == {str(collection.pk): 1}
    assert [f.label for f in results.facets["collection"]] == ["Kitchen tables"]
    assert {f.key: f.count for f in results.facets["project"]} == {project.slug: 2}
    assert ids(find(filters={"collection": [str(collection.pk)]})) == {story.pk}


def test_sort_by_date_and_pages(search_backend, make_story):
    made = []
    for year in (2018, 2022, 2020, 2019, 2021):
        story = make_story(title=f"Told in {year}", text="A walk in the park.")
        Story.objects.filter(pk=story.pk).update(told_on=datetime.date(year, 1, 1))
        made.append((year, story.pk))
    reindex(*Story.objects.all())
    newest = [pk for _, pk in sorted(made, reverse=True)]

    first = find("park", sort="newest", per_page=2)
    second = find("park", sort="newest", per_page=2, page=2)
    third = find("park", sort="newest", per_page=2, page=3)
    assert [h.story.pk for h in first.hits + second.hits + third.hits] == newest
    assert (first.pages, first.has_next, third.has_next) == (3, True, False)
    assert [h.story.pk for h in find("park", sort="oldest").hits] == newest[::-1]


def test_title_words_rank_above_passing_mentions(search_backend, make_story):
    mention = make_story(title="Monday", text="We talked about trust, among other things, and tea.")
    titled = make_story(title="Trust in the clinic", text="It took years.")
    reindex(mention, titled)

    # The ranking of words alone: in a hybrid search the meaning ranking may put the story
    # that talks about trust first, and fusion then decides.
    assert [h.story.pk for h in find("trust", match="words").hits] == [titled.pk, mention.pk]


def test_suggestions_complete_titles_and_themes(search_backend, make_story):
    garden = make_story(title="The garden group", text="x")
    tag(garden, theme("Shielding", "staying home"))  # themes are offered from visible stories
    make_story(title="Gardening in winter", text="x", status="approved")  # not public
    reindex(*Story.objects.all())

    labels = [(s.kind, s.label) for s in suggest(audience=PUBLIC_AUDIENCE, prefix="gard")]
    assert labels == [("story", "The garden group")]
    assert [s.label for s in suggest(audience=PUBLIC_AUDIENCE, prefix="the gar")] == [garden.title]
    assert ("theme", "Shielding") in [
        (s.kind, s.label) for s in suggest(audience=PUBLIC_AUDIENCE, prefix="shie")
    ]
    assert suggest(audience=PUBLIC_AUDIENCE, prefix="g") == []


def test_related_stories_share_themes(search_backend, make_story, researcher):
    isolation = theme("Isolation")
    story = make_story(title="Alone at home", text="I was alone at home.")
    sibling = make_story(title="Alone on the ward", text="Alone on the ward for weeks.")
    hidden = make_story(title="Alone again", text="Alone again.", status="approved")
    stranger = make_story(title="The carnival", text="Music and dancing.")
    for s in (story, sibling, hidden):
        tag(s, isolation)
    reindex(story, sibling, hidden, stranger)

    public = related_stories(audience=PUBLIC_AUDIENCE, story=story)
    assert public[0].pk == sibling.pk
    assert hidden.pk not in {s.pk for s in public}
    seen_by_researcher = {
        s.pk for s in related_stories(audience=audience_for(researcher), story=story)
    }
    assert {sibling.pk, hidden.pk} <= seen_by_researcher


def test_snippets_hide_words_where_quotes_are_not_agreed(search_backend, make_story):
    story = make_story(
        title="Private words", text="The garden saved me.", consent={"quotes_allowed": False}
    )
    reindex(story)

    [hit] = find("garden").hits
    assert hit.snippets and all(s.html is None for s in hit.snippets)
    assert hit.attribution == "Anonymous storyteller"


def test_a_transcript_of_over_a_million_characters_highlights_its_end(search_backend, make_story):
    story = make_story(title="The long interview", kind="audio", text="")
    filler = "and then we talked about the weather and the shopping and the neighbours " * 3
    lines = [(i * 10.0, i * 10.0 + 9.0, f"{filler} line {i}.") for i in range(4600)]
    lines.append((46_000.0, 46_009.0, "At the very end she spoke about the allotment."))
    add_transcript(story, lines)
    assert sum(len(t) for _, _, t in lines) > 1_000_000
    reindex(story)

    [hit] = find("allotments").hits
    assert hit.snippets[0].start == 46_000.0
    assert "<mark>allotment</mark>" in hit.snippets[0].html
