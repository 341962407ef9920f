"""Public pages may be cached briefly by shared caches; signed-in pages stay private."""

from __future__ import annotations

import pytest
from django.utils.cache import get_max_age

from public import links
from tests import public_site as site

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(make_story):
    story = make_story(title="Cached")
    site.tag(story, value=site.value(), theme=site.theme())
    page = site.collection([story])
    return [
        "/",
        site.archive_index().url,
        page.url,
        links.story_url(story),
        links.value_url(site.value()),
        links.theme_url(site.theme()),
        links.project_url(story.project),
        "/feeds/stories.rss",
        "/sitemap-stories.xml",
    ]


def test_public_pages_are_briefly_cacheable_and_vary_on_cookie(client, addresses, settings):
    for address in addresses:
        response = client.get(address)
        assert "public" in response["Cache-Control"], address
        assert get_max_age(response) == settings.ARCHIVE_PUBLIC_CACHE_SECONDS, address
        assert "Cookie" in response["Vary"], address
        assert not response.cookies, address  # nothing personal set for an anonymous visitor


def test_pages_for_a_signed_in_person_are_private(client, addresses, researcher):
    client.force_login(researcher)
    for address in addresses:
        response = client.get(address)
        assert "private" in response["Cache-Control"], address
        assert "public" not in response["Cache-Control"], address


def test_withdrawn_story_gone_page_is_cacheable_too(client, make_story, storyteller):
    from stories import services

    story = make_story(title="Gone")
    address = links.story_url(story)
    services.consent_withdraw(story=story, actor=storyteller)

    response = client.get(address)

    assert response.status_code == 410
    assert "Cookie" in response["Vary"]


def test_a_collection_behind_a_password_is_never_shared(client, make_story):
    from wagtail.models import PageViewRestriction

    page = site.collection([make_story(title="Private")], title="Members only")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="garden"
    )
    form = client.get(page.url)
    assert "public" not in form.get("Cache-Control", "")
    restriction = PageViewRestriction.objects.get(page=page)
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": "garden", "return_url": page.url},
    )

    response = client.get(page.url)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
