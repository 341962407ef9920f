"""Coded excerpts as research search results, and the downloads of what a search or a chart cell
found: only what the viewer may see, words only where quotes are agreed, exactly the excerpts."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from coding import finds
from coding.models import Tag
from stories.models import StoryKind
from stories.visibility import audience_for
from tests.charts_helpers import coded_archive, tag
from tests.test_exports_refi_qda import project_schema

pytestmark = pytest.mark.django_db

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def coded(make_story, contributor):
    return coded_archive(make_story, contributor)


def found_ids(user, query: str) -> set[int]:
    return set(finds.excerpt_matches(audience_for(user), query).values_list("pk", flat=True))


def test_words_match_only_where_quotes_are_agreed(coded, researcher, curator):
    # "council" is spoken at 9.5-15 s: v1 (0-10) and v2 (5-12) overlap it, v3 and the theme do not.
    open_tags = set(
        Tag.objects.filter(story=coded.open, value__in=[coded.v1, coded.v2])
        .exclude(start_seconds=None)
        .values_list("pk", flat=True)
    )
    assert found_ids(researcher, "council") == open_tags  # not the unquoted, not the closed story
    assert len(found_ids(curator, "COUNCIL")) == 4  # curators see the closed story too


def test_memo_and_code_names_match_and_unquoted_excerpts_show_no_words(coded, researcher):
    Tag.objects.filter(story=coded.unquoted, value=coded.v3).update(memo="a turning point")
    found, total = finds.find_excerpts(audience_for(researcher), "turning point")
    assert total == 1
    assert found[0].tag.story == coded.unquoted and found[0].words == ""
    # The theme's name, on both stories; and v3 (20-25 s) where "shielding" is said, but only
    # on the story whose words may be quoted.
    found, total = finds.find_excerpts(audience_for(researcher), "shielding")
    assert total == 3
    themed = {f.tag.story: f for f in found if f.tag.theme_id}
    assert set(themed) == {coded.open, coded.unquoted}
    # The excerpt's own words: those spoken from 8 to 9 s, not its whole line.
    assert themed[coded.open].words == "at first." and themed[coded.unquoted].words == ""
    (spoken,) = [f for f in found if f.tag.value_id]
    assert spoken.tag.story == coded.open and "shielding" in spoken.words
    assert spoken.coder == "Connor"


def test_an_empty_query_lists_every_visible_excerpt_but_no_whole_story_tags(coded, researcher):
    _, total = finds.find_excerpts(audience_for(researcher), "")
    assert total == 8  # 4 excerpts on each of the two stories a researcher may see


def test_text_stories_match_their_characters(make_story, researcher, contributor, coded):
    story = make_story(kind=StoryKind.TEXT, text="We planted a garden. The bees came back.")
    Tag.objects.create(
        story=story, value=coded.v1, char_start=21, char_end=40, created_by=contributor
    )
    found, total = finds.find_excerpts(audience_for(researcher), "bees")
    assert total == 1 and found[0].words == "The bees came back."
    assert finds.find_excerpts(audience_for(researcher), "garden")[1] == 0  # outside the excerpt


def test_a_page_costs_the_same_queries_however_many_excerpts(
    coded, researcher, make_story, contributor
):
    audience = audience_for(researcher)
    with CaptureQueriesContext(connection) as small:
        finds.find_excerpts(audience, "")
    for n in range(5):
        tag(coded.open, coded.v3, 26.0 + n / 10, 27.0, by=contributor)
    with CaptureQueriesContext(connection) as large:
        found, _ = finds.find_excerpts(audience, "")
    assert len(found) == 13
    assert len(large) == len(small)


def test_a_page_with_words_is_four_queries(
    coded, researcher, make_story, contributor, django_assert_num_queries
):
    story = make_story(kind=StoryKind.TEXT, text="We planted a garden. The bees came back.")
    Tag.objects.create(
        story=story, value=coded.v1, char_start=21, char_end=40, created_by=contributor
    )
    audience = audience_for(researcher)
    # The count, the page (codes, coders, stories, consents in one join), the texts, the segments.
    with django_assert_num_queries(4):
        found, _ = finds.find_excerpts(audience, coded.v1.name)  # on text and on recordings
    assert "The bees came back." in {f.words for f in found}
    assert any("church hall" in f.words for f in found)


def test_the_excerpts_tab_shows_words_times_codes_memo_and_coder(client, coded, researcher):
    Tag.objects.filter(story=coded.open, value=coded.v1).update(memo="where it began")
    client.force_login(researcher)
    page = client.get(reverse("search:excerpts"), {"q": "began"}).content.decode()
    assert "Open story" in page and "where it began" in page
    assert "church hall" in page and "0:00\u20130:10" in page
    assert coded.v1.name in page and "coded by" in page
    assert "Closed story" not in page
    assert reverse("search:excerpts_export") in page


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_a_search_exports_exactly_its_excerpts_as_csv(client, coded, researcher):
    client.force_login(researcher)
    response = client.get(reverse("search:excerpts_export"), {"q": "shielding", "format": "csv"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert sorted((r["story_title"], r["code"], r["quote_withheld"]) for r in rows) == [
        ("Open story", coded.v3.name, "no"),
        ("Open story", "Shielding", "no"),
        ("Unquoted story", "Shielding", "yes"),
    ]


def qde(response) -> etree._Element:
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return etree.fromstring(archive.read("project.qde"))


def test_a_chart_cell_exports_its_excerpts_as_qdpx(client, coded, researcher):
    client.force_login(researcher)
    params = {"a": f"value:{coded.v1.pk}", "b": f"value:{coded.v2.pk}"}
    page = client.get(reverse("charts:excerpts"), params).content.decode()
    assert reverse("charts:excerpts_export") in page
    response = client.get(reverse("charts:excerpts_export"), {**params, "format": "qdpx"})
    assert response.status_code == 200
    root = qde(response)
    project_schema().assertValid(root)  # QDA-XML 1.0, as every export of the archive
    sources = root.findall(".//q:Sources/*", NS)
    assert {s.get("name") for s in sources} == {"Open story", "Unquoted story"}
    codings = root.findall(".//q:Coding", NS)
    assert len(codings) == 4  # v1 and v2 on each of the two stories, nothing else


def test_excerpts_and_their_exports_are_for_coders_only(client, coded, stranger, storyteller):
    for user in (stranger, storyteller):  # signed in, but not a coder
        client.force_login(user)
        assert client.get(reverse("search:excerpts"), {"q": "council"}).status_code == 403
        response = client.get(reverse("search:excerpts_export"), {"format": "csv"})
        assert response.status_code == 403
        cell = {"a": f"value:{coded.v1.pk}", "format": "csv"}
        assert client.get(reverse("charts:excerpts_export"), cell).status_code == 403
    page = client.get(reverse("search:research"), {"q": "council"}).content.decode()
    assert reverse("search:excerpts") not in page  # no tab that would answer 403


def test_the_stories_tab_links_to_the_excerpts_tab_keeping_the_words(client, researcher):
    client.force_login(researcher)
    page = client.get(reverse("search:research"), {"q": "council"}).content.decode()
    assert f"{reverse('search:excerpts')}?q=council" in page
