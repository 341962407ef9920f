"""CSV and JSON exports of coded excerpts, always through the visibility rule and story parts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding.exports import ExportFilter, exported_stories
from coding.services import Excerpt, tag_accept, tag_create, tag_propose
from stories.models import Project, Value
from stories.visibility import audience_for
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db


def download(client, **params) -> tuple[object, bytes]:
    response = client.get(reverse("coding:export"), params)
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


def test_a_researcher_exports_only_what_they_may_see(
    client, make_story, contributor, researcher, equality
):
    shared = make_story(title="Shared", status="approved", consent={"public": False})
    draft = make_story(title="Not yet approved", status="awaiting_review")
    for story in (shared, draft):
        tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 4))
    client.force_login(researcher)
    response, body = download(client, format="csv")
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="coded-excerpts-')
    assert [r["story_title"] for r in rows(body)] == ["Shared"]


def test_each_row_names_the_code_the_moment_the_words_and_who(
    client, make_story, contributor, researcher, equality
):
    story = recorded_story(make_story, title="Town hall", consent={"attribution": "named"})
    tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15), memo="Heard."
    )
    client.force_login(researcher)
    [row] = rows(download(client, format="csv")[1])
    assert row["code"] == "Equality (and shifts in power differentials)"
    assert row["code_type"] == "value" and row["value_number"] == "1"
    assert (row["start_seconds"], row["end_seconds"]) == ("4.0", "15.0")
    assert (row["first_segment"], row["last_segment"]) == ("1", "2")
    assert row["quote"] == (
        "Nobody asked us what we needed at first. Then the council came and listened."
    )
    assert row["storyteller"] == "Stella"
    assert (row["coder"], row["coder_is_storyteller"]) == ("Connor", "no")
    assert row["memo"] == "Heard."


def test_no_words_leave_without_consent_to_quote_and_anonymity_holds(
    client, make_story, storyteller, contributor, researcher, equality
):
    story = make_story(
        text="My name is Stella and I live on Elm Street.",
        consent={"quotes_allowed": False, "attribution": "anonymous"},
    )
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 16))
    proposal = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    tag_accept(tag=proposal, actor=contributor)
    client.force_login(researcher)
    body = download(client, format="csv")[1]
    assert b"Stella" not in body and b"Elm Street" not in body
    by_code = {r["code_type"] + r["code"][:5]: r for r in rows(body)}
    excerpt = by_code["valueEqual"]
    assert excerpt["quote"] == "" and excerpt["quote_withheld"] == "yes"
    assert excerpt["storyteller"] == "Anonymous storyteller"
    proposed = by_code["valueHuman"]
    assert (proposed["coder"], proposed["coder_is_storyteller"]) == ("Anonymous storyteller", "yes")


def test_proposals_not_yet_accepted_are_not_exported(client, make_story, storyteller, researcher):
    story = make_story()
    tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    client.force_login(researcher)
    assert rows(download(client, format="csv")[1]) == []


def test_spreadsheet_formulas_in_memos_are_neutralised(
    client, make_story, contributor, researcher, equality
):
    story = make_story()
    tag_create(story=story, actor=contributor, code=equality, memo='=HYPERLINK("x")')
    client.force_login(researcher)
    [row] = rows(download(client, format="csv")[1])
    assert row["memo"] == '\'=HYPERLINK("x")'


def test_json_export_is_one_document_with_every_excerpt(
    client, make_story, contributor, researcher, equality
):
    story = make_story(title="Soup")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 4))
    tag_create(story=story, actor=contributor, code=Value.objects.get(slug="human"))
    client.force_login(researcher)
    response, body = download(client, format="json")
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(body)
    assert document["format"] == "community-story-archive/coded-excerpts"
    assert sorted(e["code_slug"] for e in document["excerpts"]) == ["equality", "human"]
    assert {e["story_title"] for e in document["excerpts"]} == {"Soup"}


def test_filters_by_project_and_code(client, make_story, contributor, curator, equality):
    a = make_story(title="A")
    b = make_story(title="B")
    b.project = Project.objects.create(name="Other")
    b.save()
    human = Value.objects.get(slug="human")
    for story in (a, b):
        tag_create(story=story, actor=contributor if story == a else curator, code=equality)
        tag_create(story=story, actor=curator, code=human)
    client.force_login(curator)
    only_a = rows(download(client, format="csv", project=a.project_id)[1])
    assert {r["story_title"] for r in only_a} == {"A"}
    only_human = rows(download(client, format="csv", code=f"value:{human.pk}")[1])
    assert {r["code_slug"] for r in only_human} == {"human"} and len(only_human) == 2


def test_a_story_that_left_the_audience_mid_export_is_skipped(
    make_story, contributor, researcher, equality
):
    visible = make_story(title="Visible")
    hidden = make_story(title="Hidden", status="awaiting_review")
    for story in (visible, hidden):
        tag_create(story=story, actor=contributor, code=equality)
    # Ids from before (as if the story was visible when the export began) are read again
    # through the visibility rule.
    exported = exported_stories(
        audience_for(researcher), ExportFilter(), story_ids=[visible.pk, hidden.pk]
    )
    assert [e.story.title for e in exported] == ["Visible"]


def test_the_export_makes_the_same_queries_however_many_stories(
    client, make_story, contributor, researcher, equality
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            download(client, format="csv")
        return len(queries)

    client.force_login(researcher)
    for i in range(2):
        tag_create(
            story=recorded_story(make_story, title=f"s{i}"), actor=contributor, code=equality
        )
    few = count()
    for i in range(2, 7):
        tag_create(
            story=recorded_story(make_story, title=f"s{i}"), actor=contributor, code=equality
        )
    assert count() == few


def test_the_export_page_explains_the_consent_rules(client, researcher):
    client.force_login(researcher)
    page = client.get(reverse("coding:export")).content.decode()
    assert "only the stories you may see" in page
    assert "REFI-QDA project" in page


def test_each_row_says_who_speaks_in_the_excerpt_as_the_consent_allows(
    client, make_story, contributor, researcher, equality
):
    from stories.models import Segment, Speaker

    story = recorded_story(make_story, title="Town hall", consent={"attribution": "anonymous"})
    me = Speaker.objects.create(transcript=story.transcript, label="S1", is_storyteller=True)
    asker = Speaker.objects.create(transcript=story.transcript, label="S2", name="Interviewer")
    Segment.objects.filter(transcript=story.transcript, index=1).update(speaker=asker)
    Segment.objects.filter(transcript=story.transcript, index=2).update(speaker=me)
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15))
    client.force_login(researcher)
    [row] = rows(download(client, format="csv")[1])
    assert row["speakers"] == "Interviewer; Anonymous storyteller"
    body = download(client, format="json")[1]
    assert b"Stella" not in body
