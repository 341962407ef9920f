"""Curators work in the Wagtail admin, and the admin obeys the visibility rule too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stories import services

pytestmark = pytest.mark.django_db


def story_admin_url(action: str, *args) -> str:
    return reverse(f"wagtailsnippets_stories_story:{action}", args=args)


def test_a_curator_can_open_the_admin_and_list_the_stories_they_may_see(
    client, curator, make_story
):
    kept = make_story(title="Kept in the archive", status="approved", consent={"public": False})
    not_kept = make_story(
        title="Not kept",
        status="draft",
        consent={"archive": False, "researchers": False, "public": False},
    )
    client.force_login(curator)
    assert client.get("/admin/").status_code == 200
    listing = client.get(story_admin_url("list"))
    assert listing.status_code == 200
    assert kept.title in listing.content.decode()
    assert not_kept.title not in listing.content.decode()
    assert client.get(story_admin_url("edit", kept.pk)).status_code == 200
    assert client.get(story_admin_url("edit", not_kept.pk)).status_code in (302, 403, 404)


def test_a_withdrawn_story_cannot_be_opened_in_the_admin(client, curator, make_story, storyteller):
    story = make_story(title="Soon gone")
    services.consent_withdraw(story=story, actor=storyteller)
    client.force_login(curator)
    assert client.get(story_admin_url("edit", story.pk)).status_code in (302, 403, 404)
    assert "Soon gone" not in client.get(story_admin_url("list")).content.decode()


def test_stories_are_never_added_or_deleted_in_the_admin(client, curator, make_story):
    story = make_story()
    client.force_login(curator)
    assert client.get(story_admin_url("add")).status_code in (302, 403)
    assert client.get(story_admin_url("delete", story.pk)).status_code in (302, 403, 404)


@pytest.mark.parametrize("who", ["storyteller", "contributor", "researcher", "stranger"])
def test_only_curators_get_into_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_curator_can_manage_themes_and_projects(client, curator):
    client.force_login(curator)
    assert client.get(reverse("wagtailsnippets_stories_theme:add")).status_code == 200
    assert client.get(reverse("wagtailsnippets_stories_project:add")).status_code == 200
