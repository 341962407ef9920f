"""The research charts count only what the viewer may see, one aggregate query per chart, and
give the same numbers as a table, a CSV and the excerpts behind each cell."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding.models import Tag
from research import charts
from research.charts import ChartFilters
from stories.models import Value
from stories.visibility import audience_for
from tests.charts_helpers import coded_archive, tag
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db

ALL = ChartFilters()


@pytest.fixture
def coded(make_story, contributor):
    return coded_archive(make_story, contributor)


def key(code) -> str:
    return f"{'value' if hasattr(code, 'number') else 'theme'}:{code.pk}"


def test_frequencies_count_only_the_stories_the_viewer_may_see(coded, researcher, curator):
    seen = charts.frequencies(audience_for(researcher), ALL)
    assert seen[key(coded.v1)] == charts.Frequency(stories=2, excerpts=2)
    assert seen[key(coded.theme)] == charts.Frequency(stories=2, excerpts=2)
    everything = charts.frequencies(audience_for(curator), ALL)
    assert everything[key(coded.v1)] == charts.Frequency(stories=3, excerpts=3)


def test_a_story_only_the_curator_may_see_adds_nothing_for_the_researcher(
    coded, researcher, curator
):
    tag(coded.closed, coded.v3, 21.0, 22.0)  # v3 overlaps v3 only on the closed story
    tag(coded.closed, coded.v1, 21.0, 22.0)  # a pair that only the closed story has
    pairs = charts.cooccurrence(audience_for(researcher), ALL, "values")
    assert (key(coded.v1), key(coded.v3)) not in pairs
    assert (key(coded.v1), key(coded.v3)) in charts.cooccurrence(
        audience_for(curator), ALL, "values"
    )


def test_values_occur_together_where_their_excerpts_overlap(coded, researcher):
    pairs = charts.cooccurrence(audience_for(researcher), ALL, "values")
    assert pairs[(key(coded.v1), key(coded.v2))] == charts.Pair(excerpts=2, stories=2)
    assert pairs[(key(coded.v2), key(coded.v1))] == charts.Pair(excerpts=2, stories=2)
    assert (key(coded.v1), key(coded.v3)) not in pairs
    assert (key(coded.v1), key(coded.v1)) not in pairs


def test_themes_meet_values_where_their_excerpts_overlap(coded, researcher):
    pairs = charts.cooccurrence(audience_for(researcher), ALL, "theme_value")
    assert pairs == {
        (key(coded.theme), key(coded.v1)): charts.Pair(2, 2),
        (key(coded.theme), key(coded.v2)): charts.Pair(2, 2),
    }


def test_ranges_that_only_touch_do_not_overlap(make_story, researcher, contributor):
    story = recorded_story(make_story)
    v1, v2 = (Value.objects.get(number=n) for n in (1, 2))
    tag(story, v1, 0.0, 5.0, by=contributor)
    tag(story, v2, 5.0, 9.0, by=contributor)
    assert charts.cooccurrence(audience_for(researcher), ALL, "values") == {}


def test_written_stories_overlap_by_characters(make_story, researcher, contributor):
    story = make_story(text="We met in the hall and we planned the garden together.")
    v1, v2 = Value.objects.get(number=1), Value.objects.get(number=2)
    Tag.objects.create(story=story, value=v1, char_start=0, char_end=20, created_by=contributor)
    Tag.objects.create(story=story, value=v2, char_start=15, char_end=40, created_by=contributor)
    pairs = charts.cooccurrence(audience_for(researcher), ALL, "values")
    assert pairs[(f"value:{v1.pk}", f"value:{v2.pk}")] == charts.Pair(1, 1)


def test_filters_narrow_every_count(coded, researcher, project):
    audience = audience_for(researcher)
    year = charts.frequencies(audience, ChartFilters(years=(2021,)))
    assert year[key(coded.v1)] == charts.Frequency(stories=1, excerpts=1)
    assert charts.frequencies(audience, ChartFilters(languages=("cy",))) == {}
    assert charts.frequencies(audience, ChartFilters(projects=(project.slug,)))[key(coded.v1)]
    assert charts.frequencies(audience, ChartFilters(projects=("elsewhere",))) == {}


def test_change_over_time_counts_by_year_told(coded, researcher):
    years = charts.over_time(audience_for(researcher), ALL, [key(coded.v2)])
    assert years == {
        (key(coded.v2), 2021): charts.Frequency(1, 1),
        (key(coded.v2), 2023): charts.Frequency(1, 1),  # the closed story of 2023 is not there
    }


@pytest.mark.parametrize(
    "read",
    [
        lambda a: charts.frequencies(a, ALL),
        lambda a: charts.cooccurrence(a, ALL, "values"),
        lambda a: charts.cooccurrence(a, ALL, "theme_value"),
        lambda a: charts.over_time(a, ALL, []),
        lambda a: charts.over_time(
            a, ChartFilters(projects=("p",), collections=(1,), languages=("en",), years=(1,)), []
        ),
    ],
)
def test_each_chart_is_one_query(coded, researcher, read, django_assert_num_queries):
    audience = audience_for(researcher)
    with django_assert_num_queries(1):
        read(audience)


def test_the_page_asks_as_many_queries_however_many_stories(
    make_story, coded, researcher, contributor, client
):
    client.force_login(researcher)
    url = reverse("charts:index")
    client.get(url)  # the session's first request reads a little more
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        story = recorded_story(make_story, title=f"More {n}")
        tag(story, coded.v1, 0.0, 3.0, by=contributor)
        tag(story, coded.v2, 1.0, 3.0, by=contributor)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_page_shows_tables_and_links_to_the_excerpts_behind_a_cell(coded, researcher, client):
    client.force_login(researcher)
    page = client.get(reverse("charts:index")).content.decode()
    assert "Values that occur together" in page
    assert f"a=value%3A{coded.v1.pk}&amp;b=value%3A{coded.v2.pk}" in page
    assert 'id="values-together-spec"' in page
    assert "Closed story" not in page


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_downloads_hold_the_chart_numbers(coded, researcher, client):
    client.force_login(researcher)
    rows = read_csv(client.get(reverse("charts:csv", args=["values-together"])))
    assert rows[0] == ["Value", "Value", "Overlapping excerpts", "Stories"]
    assert rows[1:] == [[coded.v1.name, coded.v2.name, "2", "2"]]
    values = read_csv(client.get(reverse("charts:csv", args=["values"])))
    assert [coded.v1.name, values[1][1], "2", "2"] == values[1]
    assert len(values) == 19  # every value has its line
    themes = read_csv(client.get(reverse("charts:csv", args=["themes"]) + "?year=2023"))
    assert themes[1:] == [["Shielding", "1", "1"]]
    pairs = read_csv(client.get(reverse("charts:csv", args=["themes-and-values"])))
    assert len(pairs) == 3
    years = read_csv(
        client.get(reverse("charts:csv", args=["over-time"]) + f"?code={key(coded.theme)}")
    )
    assert years[1:] == [["Shielding", "2021", "1", "1"], ["Shielding", "2023", "1", "1"]]
    assert client.get(reverse("charts:csv", args=["nothing"])).status_code == 404


def test_the_excerpts_behind_a_cell_quote_only_where_storytellers_agreed(coded, researcher, client):
    client.force_login(researcher)
    url = reverse("charts:excerpts") + f"?a={key(coded.v1)}&b={key(coded.v2)}"
    page = client.get(url).content.decode()
    assert "2 overlapping pairs" in page
    assert "Open story" in page and "Unquoted story" in page and "Closed story" not in page
    assert "We started meeting in the church hall." in page  # the open story's words
    assert page.count("We started meeting in the church hall.") == 1  # not the unquoted one's
    assert "did not agree to quotes" in page


def test_the_excerpts_behind_a_bar(coded, researcher, client):
    client.force_login(researcher)
    page = client.get(reverse("charts:excerpts") + f"?a={key(coded.v3)}").content.decode()
    assert "2 excerpts" in page
    assert client.get(reverse("charts:excerpts") + "?a=value:0").status_code == 404


def test_coders_side_by_side(coded, researcher, contributor, django_user_model, client):
    from tests.conftest import make_user

    other = make_user(django_user_model, "otto", "researcher")
    tag(coded.open, coded.v1, 2.0, 6.0, by=other)
    client.force_login(researcher)
    page = client.get(reverse("charts:coders", args=[coded.open.pk])).content.decode()
    assert "Otto" in page and "Connor" in page
    rows = read_csv(client.get(reverse("charts:coders", args=[coded.open.pk]) + "?format=csv"))
    assert rows[0] == ["Coder", "Code", "From", "To"] and len(rows) == 6
    assert client.get(reverse("charts:coders", args=[coded.closed.pk])).status_code == 404
    form = client.get(reverse("charts:index") + f"?story={coded.open.pk}")
    assert form["Location"] == reverse("charts:coders", args=[coded.open.pk])


def test_researchers_and_curators_see_the_charts_and_nobody_else(
    coded, researcher, curator, storyteller, client
):
    url = reverse("charts:index")
    assert client.get(url).status_code == 302  # the public: to the sign-in page
    client.force_login(storyteller)
    assert client.get(url).status_code == 403
    assert client.get(reverse("charts:csv", args=["values"])).status_code == 403
    for person in (researcher, curator):
        client.force_login(person)
        assert client.get(url).status_code == 200
        assert f'href="{url}"' in client.get(reverse("search:research")).content.decode()


def test_a_collection_narrows_the_counts_to_its_stories(coded, researcher):
    from tests import public_site as site

    page = site.collection([coded.unquoted, coded.closed], picture=site.image())
    found = charts.frequencies(audience_for(researcher), ChartFilters(collections=(page.pk,)))
    assert found[key(coded.v1)] == charts.Frequency(stories=1, excerpts=1)  # not the closed one
