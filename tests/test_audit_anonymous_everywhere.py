"""An anonymous storyteller is named nowhere that someone else can read.

Every URL of the site (pages, media, transcripts, search, feeds, sitemaps, the API, the coding
workspace and its exports) is read as the public, a researcher and a project contributor; none
of them may show the storyteller's display name or sign-in name, though all of them can see
the story. The storyteller coded their own story too, so coder credits are covered.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coding.models import Tag, TagStatus
from coding.services import Excerpt, tag_accept, tag_create, tag_propose
from public import links
from search.api import outbox_drain
from stories.models import ProjectMembership, StoryKind, StorytellerProfile, Value
from stories.photos import photo_clean, story_photo_attach
from tests import public_site as site
from tests.storyteller_helpers import jpeg_with_gps
from tests.test_withdrawal_removes_everything import _fill, _routes, _text

pytestmark = pytest.mark.django_db

DISPLAY_NAME = "Wilhelmina Quokkaby"
USERNAME = "wquokkaby"
TITLE_WORD = "Marshmallow"  # in the title: every sweep must find the story itself


@pytest.fixture
def anonymous(make_story, storyteller, contributor, researcher, project):
    storyteller.username = USERNAME
    storyteller.save(update_fields=["username"])
    StorytellerProfile.objects.filter(user=storyteller).update(display_name=DISPLAY_NAME)
    storyteller.refresh_from_db()
    ProjectMembership.objects.get_or_create(project=project, user=contributor)
    story = make_story(
        title=f"{TITLE_WORD} mornings",
        consent={"attribution": "anonymous", "quotes_allowed": True},
        kind=StoryKind.AUDIO,
        text="",
    )
    site.attach_recording(story)
    story_photo_attach(
        story=story,
        photo=photo_clean(SimpleUploadedFile("p.jpg", jpeg_with_gps()), alt_text="A teapot."),
    )
    equality = Value.objects.get(slug="equality")
    first = story.transcript.segments.first()
    tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(first.start, first.end)
    )
    proposal = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    tag_accept(tag=proposal, actor=contributor)
    assert Tag.objects.filter(story=story, status=TagStatus.ACCEPTED).count() == 2
    outbox_drain()
    return story


def test_no_page_feed_search_api_or_export_names_an_anonymous_storyteller(
    client, anonymous, researcher, contributor
):
    urls = {
        url
        for route, converters in _routes()
        if (url := _fill(route, converters, anonymous, anonymous.slug))
    }
    urls |= {
        "/",
        site.archive_index().url,
        links.story_url(anonymous),
        links.project_url(anonymous.project),
        site.collection([anonymous]).url,
        *(links.value_url(v) for v in Value.objects.filter(tags__story=anonymous)),
    }
    queries = ["", f"?q={TITLE_WORD.lower()}", "?format=csv", "?format=json", "?format=qdpx"]
    named, found_story = [], set()
    for person in (None, researcher, contributor):
        client.logout()
        if person is not None:
            client.force_login(person)
        for url in sorted(urls):
            for query in queries:
                response = client.get(url + query)
                assert response.status_code < 500, f"{url + query} failed for {person}"
                body = _text(response)
                headers = " ".join(f"{k}: {v}" for k, v in response.items())
                if TITLE_WORD in body:
                    found_story.add(person)
                for name in (DISPLAY_NAME, "Quokkaby", USERNAME):
                    if name in body or name in headers:
                        named.append(f"{url + query} ({person or 'public'}): {name}")
    assert found_story == {None, researcher, contributor}  # each of them can see the story
    assert named == []
