"""Every page answered to a signed-in person is kept out of shared caches."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

pytestmark = pytest.mark.django_db


def signed_in_addresses() -> list[str]:
    return [
        reverse("storyteller:my_stories"),
        reverse("storyteller:new"),
        reverse("search:public"),
        reverse("search:research"),
        reverse("coding:workspace"),
        "/api/search?q=garden",
        "/api/suggest?prefix=garden",
    ]


@pytest.mark.parametrize("who", ["storyteller", "researcher", "curator"])
def test_signed_in_pages_are_private_and_not_stored_for_others(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for address in signed_in_addresses():
        response = client.get(address)
        assert response.status_code < 500, address
        control = response.get("Cache-Control", "")
        assert "private" in control, (address, control)
        assert "public" not in control, (address, control)
        assert "no-cache" in control or "no-store" in control, (address, control)
        assert "Cookie" in response.get("Vary", ""), address


def test_the_admin_is_private_for_a_signed_in_curator(client, curator):
    client.force_login(curator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, storyteller):
    client.force_login(storyteller)
    response = client.get(reverse("storyteller:progress"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_public_pages_stay_briefly_cacheable_for_visitors(client, settings):
    home = client.get("/")
    assert "public" in home["Cache-Control"]
    assert get_max_age(home) == settings.ARCHIVE_PUBLIC_CACHE_SECONDS


def test_anonymous_pages_without_their_own_header_get_none_added(client):
    response = client.get(reverse("search:public"))
    assert "private" not in response.get("Cache-Control", "")
