"""A collection a curator keeps private (a Wagtail view restriction) is not named to the public.

Its own page asks visitors to sign in; the home page (as a featured collection) and the search
facets (pages and API) must not show its title or introduction either.
"""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from public.models import HomeFeaturedCollection
from search.api import outbox_drain
from tests import public_site as site

pytestmark = pytest.mark.django_db

PRIVATE_TITLE = "Members only gathering"


@pytest.fixture
def private_collection(make_story):
    story = make_story(title="Open allotment story")
    page = site.collection([story], title=PRIVATE_TITLE)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    home = site.home()
    home.featured_collections.set([HomeFeaturedCollection(collection=page)])
    home.save_revision().publish()
    outbox_drain()
    return page


def test_its_own_page_asks_the_public_to_sign_in(client, private_collection):
    assert client.get(private_collection.url).status_code == 302


def test_the_home_page_does_not_feature_a_private_collection(client, private_collection):
    html = client.get("/").content.decode()
    assert "Open allotment story" in html  # the story itself is public
    assert PRIVATE_TITLE not in html


@pytest.mark.parametrize("address", ["/search/?q=allotment", "/api/search?q=allotment"])
def test_search_facets_do_not_name_a_private_collection(client, private_collection, address):
    body = client.get(address).content.decode()
    assert "Open allotment story" in body  # found
    assert PRIVATE_TITLE not in body
