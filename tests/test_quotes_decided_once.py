""" "Quotes not allowed" is decided once, in `story_parts`, and every path that shows words agrees.

A published story whose teller agreed to public showing but not to quotes carries a word found
nowhere else (MARKER). Whoever may see the story reads it whole beside the recording (the
transcript panel and its WebVTT captions: `StoryParts.transcript`); nobody but the storyteller
gets its words anywhere else (`StoryParts.quotes`): not in transcript files to take away, the
API, exports, search snippets, feeds or the excerpts of the value and theme pages. A story whose
teller allowed quotes (CONTROL) shows that each of those paths does quote when it may.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from coding.exports import (
    ExportFilter,
    excerpts_csv_stream,
    excerpts_json_stream,
    project_qdpx_stream,
)
from coding.permissions import can_export
from public import links
from public.reads import excerpts_tagged
from search.api import search_stories
from stories.models import Segment, StoryKind, Value
from stories.visibility import PUBLIC_AUDIENCE, audience_for, story_parts
from tests import public_site as site
from tests.search_support import reindex

pytestmark = pytest.mark.django_db

MARKER = "Quillfeather"  # said in the stories whose tellers refused quotes
CONTROL = "Brightwater"  # said in the story whose teller allowed them
AUDIENCES = ("public", "researcher", "curator", "storyteller")
TAKE_AWAY = ("srt", "txt", "json")  # transcript files: quotes
CAPTIONS = "vtt"  # the player's caption track: the transcript in its place


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


@pytest.fixture
def told(make_story, equality):
    """A recording and a written story without consent to quote, and one quotable story; each
    with an accepted excerpt tag of the value Equality, all in the search index."""
    heard = make_story(
        title="Heard, not quoted", kind=StoryKind.AUDIO, text="", consent={"quotes_allowed": False}
    )
    site.attach_recording(heard)
    first = Segment.objects.get(transcript__story=heard, index=0)
    first.text = f"I told {MARKER} about the coffee mornings."
    step = (first.end - first.start) / 7
    first.words = [
        {"start": first.start + i * step, "end": first.start + (i + 1) * step, "text": w,
         "probability": 0.9}
        for i, w in enumerate(first.text.split())
    ]  # fmt: skip
    first.save()
    site.tag(heard, value=equality, start_seconds=first.start, end_seconds=first.end)

    written = make_story(
        title="Written, not quoted",
        text=f"{MARKER} kept the keys of the hall. We met there every week.",
        consent={"quotes_allowed": False},
    )
    site.tag(written, value=equality, char_start=0, char_end=len(MARKER) + 18)

    quotable = make_story(
        title="Quoted with consent",
        text=f"{CONTROL} lent us the hall for nothing. We met there every week.",
        consent={"quotes_allowed": True},
    )
    site.tag(quotable, value=equality, char_start=0, char_end=len(CONTROL) + 20)
    reindex(heard, written, quotable)
    return heard, written, quotable


def signed_in(client, request, who: str):
    """The client as `who` (the public stays signed out) and that person's audience."""
    if who == "public":
        return PUBLIC_AUDIENCE
    user = request.getfixturevalue(who)
    client.force_login(user)
    return audience_for(user)


def bytes_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def body_of(response) -> str:
    return bytes_of(response).decode("utf-8", errors="replace")


def qdpx_text(chunks) -> str:
    """Every file inside a REFI-QDA project, as one text."""
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


@pytest.mark.parametrize("who", AUDIENCES)
def test_each_path_shows_the_words_as_story_parts_decides(client, request, told, equality, who):
    heard, written, quotable = told
    audience = signed_in(client, request, who)
    parts = story_parts(audience, heard)
    assert story_parts(audience, written) == parts

    # The decision: everyone who sees the story reads it whole in its place; only its teller
    # may take the words elsewhere, the curators no more than anyone else.
    assert parts.transcript is True
    assert parts.quotes is (who == "storyteller")
    assert story_parts(audience, quotable).quotes is True

    # The story pages: the transcript beside the player, its captions, the written story.
    page = client.get(links.story_url(heard))
    assert page.status_code == 200
    html = page.content.decode()
    assert (MARKER in html) is parts.transcript
    assert ('<track kind="captions"' in html) is parts.transcript
    assert ("did not agree to quotes" in html) is (not parts.quotes)
    assert (MARKER in client.get(links.story_url(written)).content.decode()) is parts.transcript

    # The caption file the player loads, and the transcript files to take away.
    captions = client.get(f"/transcripts/{heard.pk}.{CAPTIONS}")
    assert captions.status_code == 200
    assert (MARKER in captions.content.decode()) is parts.transcript
    for fmt in TAKE_AWAY:
        response = client.get(f"/transcripts/{heard.pk}.{fmt}")
        assert response.status_code == (200 if parts.quotes else 403), fmt
        assert (MARKER in response.content.decode()) is parts.quotes, fmt

    # The JSON API: the story's text and segments.
    for story in (heard, written):
        detail = client.get(f"/api/stories/{story.pk}").json()
        assert detail["quotes_allowed"] is parts.quotes
        words = json.dumps([detail["text"], detail["segments"]])
        assert (MARKER in words) is parts.quotes, story.title

    # Search snippets, through the API and the search interface: found, quoted only if allowed.
    found = client.get("/api/search", {"q": MARKER}).json()
    hits = {hit["id"]: hit for hit in found["hits"]}
    assert {heard.pk, written.pk} <= set(hits)
    for story in (heard, written):
        assert hits[story.pk]["snippets"], story.title
        snippets = json.dumps(hits[story.pk]["snippets"])
        assert (MARKER in snippets) is parts.quotes, story.title
    results = search_stories(audience=audience, query=MARKER)
    shown = [s.html or "" for h in results.hits for s in h.snippets]
    assert shown and any(MARKER in html for html in shown) is parts.quotes
    quoted = search_stories(audience=audience, query=CONTROL)
    assert any(CONTROL in (s.html or "") for h in quoted.hits for s in h.snippets)

    # Exports of coded excerpts (CSV, JSON, REFI-QDA) as this audience would get them.
    every = ExportFilter(value=equality)
    for name, text in (
        ("csv", "".join(excerpts_csv_stream(audience, every))),
        ("json", "".join(excerpts_json_stream(audience, every))),
        ("qdpx", qdpx_text(project_qdpx_stream(audience, every, media_url=None))),
    ):
        assert (MARKER in text) is parts.quotes, name
        assert CONTROL in text, name
    for fmt in ("csv", "json", "qdpx"):
        response = client.get(reverse("coding:export"), {"format": fmt})
        if can_export(audience):
            assert response.status_code == 200, fmt
            downloaded = body_of(response) if fmt != "qdpx" else qdpx_text([bytes_of(response)])
            assert (MARKER in downloaded) is parts.quotes, fmt
        else:
            assert response.status_code in (302, 403), fmt
            assert MARKER not in body_of(response), fmt

    # Lists of excerpts keep to the same decision for this audience.
    excerpts = excerpts_tagged(value=equality, audience=audience).with_quotes()
    listed = {tag.story_id for tag in excerpts}
    for story in (heard, written, quotable):
        assert (story.pk in listed) is story_parts(audience, story).quotes, story.title
    assert any(MARKER in tag.quote for tag in excerpts) is parts.quotes

    # The public site's feeds and value pages are the public's, whoever reads them.
    public = story_parts(PUBLIC_AUDIENCE, written)
    for address in ("/feeds/stories.rss", "/feeds/stories.atom", links.value_url(equality)):
        text = client.get(address).content.decode()
        assert (MARKER in text) is public.quotes, address
        assert CONTROL in text, address


def test_feeds_do_not_quote_a_written_story_whose_teller_refused_quotes(client, told):
    _, written, _ = told
    assert not written.summary and not story_parts(PUBLIC_AUDIENCE, written).quotes
    for address in ("/feeds/stories.rss", "/feeds/stories.atom"):
        feed = client.get(address).content.decode()
        assert "Written, not quoted" in feed  # the story is in the feed...
        assert MARKER not in feed  # ...without its words
        assert "A text story told by Anonymous storyteller." in feed
        assert f"{CONTROL} lent us the hall" in feed  # a quotable story is still quoted
