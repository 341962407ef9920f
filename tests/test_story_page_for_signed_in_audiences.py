"""Search sends researchers to story pages: the page serves whoever the rule lets see the story."""

from __future__ import annotations

import pytest

from public import links
from tests import public_site as site

pytestmark = pytest.mark.django_db


@pytest.fixture
def research_only_story(make_story):
    site.home()
    return make_story(title="Kept for researchers", status="approved", consent={"public": False})


def test_a_researcher_opens_a_story_that_is_not_public_with_a_note_saying_so(
    client, researcher, research_only_story
):
    client.force_login(researcher)
    response = client.get(links.story_url(research_only_story))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kept for researchers" in html
    assert "Not public." in html
    assert "private" in response["Cache-Control"]


def test_the_public_and_a_stranger_get_not_found(client, stranger, research_only_story):
    url = links.story_url(research_only_story)
    assert client.get(url).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_a_public_story_carries_no_note(client, researcher, make_story):
    site.home()
    story = make_story(title="Out in the open")
    client.force_login(researcher)
    html = client.get(links.story_url(story)).content.decode()
    assert "Out in the open" in html
    assert "Not public." not in html
