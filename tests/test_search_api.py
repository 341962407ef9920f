"""The JSON API at /api/ (django-ninja): search, suggest and story detail, all through the rule."""

from __future__ import annotations

import pytest

from search.services import outbox_drain
from tests.search_support import add_transcript


@pytest.fixture
def stories(search_backend, make_story):
    public = make_story(title="The garden group", text="We dug the garden together.")
    approved = make_story(title="Garden notes", text="A garden for researchers.", status="approved")
    audio = make_story(title="Market day", kind="audio", text="", consent={"quotes_allowed": False})
    add_transcript(audio, [(0.0, 5.0, "Hello."), (12.0, 20.0, "The garden stall sold out.")])
    outbox_drain()
    search_backend.refresh()
    return {"public": public, "approved": approved, "audio": audio}


def test_the_openapi_schema_describes_search_suggest_and_stories(client, db):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/suggest", "/api/stories/{story_id}"} <= set(schema["paths"])
    assert schema["info"]["title"] == "Community Story Archive API"


def test_anonymous_callers_search_as_the_public(client, stories):
    body = client.get("/api/search", {"q": "gardening"}).json()
    assert {h["title"] for h in body["hits"]} == {"The garden group", "Market day"}
    assert body["total"] == 2
    assert sum(f["count"] for f in body["facets"]["kind"]) == 2
    market = next(h for h in body["hits"] if h["title"] == "Market day")
    # Quotes were not agreed: the moment is there, its words are not.
    assert market["snippets"] == [
        {
            "html": None,
            "start": 12.0,
            "timecode": "0:12",
            "speaker": "",
            "url": market["snippets"][0]["url"],
        }
    ]
    assert "t=12" in market["snippets"][0]["url"]
    assert "q=" not in market["snippets"][0]["url"]  # not even the caller's words echoed


def test_moment_links_carry_the_query_where_the_words_may_be_quoted(
    client, stories, make_story, search_backend
):
    quotable = make_story(title="Allotment day", kind="audio", text="")
    add_transcript(quotable, [(0.0, 5.0, "Hello."), (30.0, 40.0, "The gardening club met.")])
    outbox_drain()
    search_backend.refresh()
    body = client.get("/api/search", {"q": "gardening"}).json()
    allotment = next(h for h in body["hits"] if h["title"] == "Allotment day")
    assert "?t=30&q=gardening#player" in allotment["snippets"][0]["url"]


def test_a_signed_in_researcher_searches_with_their_audience(client, stories, researcher):
    client.force_login(researcher)
    mine = client.get("/api/search", {"q": "garden"}).json()
    assert {h["title"] for h in mine["hits"]} >= {"The garden group", "Garden notes"}
    public = client.get("/api/search", {"q": "garden", "scope": "public"}).json()
    assert "Garden notes" not in {h["title"] for h in public["hits"]}


def test_filters_sort_and_pages_are_query_parameters(client, stories):
    body = client.get(
        "/api/search", {"kind": "audio", "sort": "newest", "per_page": 1, "page": 1}
    ).json()
    assert [h["title"] for h in body["hits"]] == ["Market day"]
    assert [f["key"] for f in body["facets"]["kind"] if f["selected"]] == ["audio"]
    assert client.get("/api/search", {"per_page": 1000}).status_code == 422


def test_suggestions_follow_the_audience(client, stories, researcher):
    assert client.get("/api/suggest", {"prefix": "gard"}).json() == [
        {"kind": "story", "label": "The garden group"}
    ]
    client.force_login(researcher)
    labels = {s["label"] for s in client.get("/api/suggest", {"prefix": "gard"}).json()}
    assert labels == {"The garden group", "Garden notes"}


def test_story_detail_answers_404_for_a_story_you_may_not_see(client, stories, researcher):
    assert client.get(f"/api/stories/{stories['approved'].pk}").status_code == 404
    client.force_login(researcher)
    body = client.get(f"/api/stories/{stories['approved'].pk}").json()
    assert body["title"] == "Garden notes"
    assert body["text"] == "A garden for researchers."


def test_story_detail_leaves_out_words_without_consent_to_quote(client, stories):
    body = client.get(f"/api/stories/{stories['audio'].pk}").json()
    assert body["quotes_allowed"] is False
    assert body["segments"] is None and body["text"] is None
    assert body["attribution"] == "Anonymous storyteller"


def test_a_search_service_outage_answers_503_with_what_to_do(client, db, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    response = client.get("/api/search", {"q": "garden"})
    assert response.status_code == 503
    assert "Try again" in response.json()["detail"]
