"""The main navigation shows each person the parts of the archive their roles open."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def nav_labels(client) -> list[str]:
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_the_public_sees_explore_search_and_sign_in(client):
    assert nav_labels(client) == ["Explore", "Search", "Sign in"]


def test_a_storyteller_sees_their_stories_but_not_coding_or_admin(client, storyteller):
    client.force_login(storyteller)
    assert nav_labels(client) == ["Explore", "Search", "My stories", "Tell a story"]


@pytest.mark.parametrize("who", ["contributor", "researcher"])
def test_coders_see_coding_and_research(client, request, who):
    client.force_login(request.getfixturevalue(who))
    labels = nav_labels(client)
    assert {"Coding", "Research"} <= set(labels)
    assert "Admin" not in labels


def test_a_curator_also_sees_the_admin(client, curator):
    client.force_login(curator)
    assert nav_labels(client)[-1] == "Admin"
