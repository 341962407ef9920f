"""Suggestions name only themes and values found on stories the audience may see."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from search.api import suggest
from stories import services
from stories.models import Theme
from stories.visibility import PUBLIC_AUDIENCE, audience_for
from tests.search_support import tag, theme, value

pytestmark = pytest.mark.django_db


def offered(audience, prefix: str) -> set[tuple[str, str]]:
    return {(s.kind, s.label) for s in suggest(audience=audience, prefix=prefix, limit=50)}


@pytest.fixture
def hidden_themes(make_story, storyteller):
    """Themes (and a value) each used on one story the public may not see."""
    sealed = make_story(
        title="Sealed",
        consent={"sealed_until": timezone.localdate() + datetime.timedelta(days=365)},
    )
    tag(sealed, theme("Sealed eviction"))
    withdrawn = make_story(title="Gone")
    tag(withdrawn, theme("Withdrawn debts"))
    services.story_transition(story=withdrawn, target="withdrawn", actor=storyteller)
    draft = make_story(title="Draft", status="draft")
    tag(draft, theme("Draft diagnosis"))
    tag(draft, value(15))  # Reflexivity
    approved = make_story(title="For researchers only", status="approved")
    tag(approved, theme("Researched rents"))
    return {"approved": approved}


def test_the_public_is_not_offered_themes_or_values_of_stories_it_cannot_see(hidden_themes):
    for prefix in ("sealed", "withdrawn", "draft", "researched", "reflex"):
        assert not {k for k, _ in offered(PUBLIC_AUDIENCE, prefix)} & {"theme", "value"}, prefix


def test_the_public_api_offers_no_hidden_theme(client, hidden_themes):
    for prefix in ("sealed", "withdrawn", "draft", "researched", "reflex"):
        body = client.get("/api/suggest", {"prefix": prefix, "scope": "public"}).json()
        assert [s for s in body if s["kind"] != "story"] == [], prefix


def test_themes_and_values_on_public_stories_are_offered(make_story):
    shown = make_story(title="Allotments")
    tag(shown, theme("Shielding"), start=None)
    tag(shown, value(15))
    theme("Shared meals")  # in the taxonomy, on no story
    assert ("theme", "Shielding") in offered(PUBLIC_AUDIENCE, "shiel")
    assert ("value", "Reflexivity") in offered(PUBLIC_AUDIENCE, "reflex")
    assert not offered(PUBLIC_AUDIENCE, "shared m")


def test_a_proposed_tag_does_not_make_a_theme_suggestable(make_story):
    shown = make_story(title="Allotments")
    tag(shown, theme("Loneliness"), status="proposed")
    assert not offered(PUBLIC_AUDIENCE, "lonel")


def test_a_researcher_is_offered_themes_of_the_stories_they_may_see(hidden_themes, researcher):
    mine = audience_for(researcher)
    assert ("theme", "Researched rents") in offered(mine, "researched")
    assert ("theme", "Sealed eviction") not in offered(mine, "sealed")
    assert ("theme", "Draft diagnosis") not in offered(mine, "draft")


def test_a_merged_theme_on_a_public_story_offers_the_theme_that_absorbed_it(make_story):
    old, kept = theme("Isolated"), theme("Isolation")
    tag(make_story(title="Alone"), old)
    Theme.objects.filter(pk=old.pk).update(merged_into=kept, merged_at=timezone.now())
    assert offered(PUBLIC_AUDIENCE, "isolat") == {("theme", "Isolation")}


def test_only_the_codes_whose_names_match_are_looked_for_on_stories(
    make_story, django_assert_max_num_queries
):
    story = make_story(title="Allotments")
    for name in ("Shielding", "Shared meals", "Isolation", "Housing", "Food"):
        tag(story, theme(name), start=None)
    # Themes and values read once, one look for "Shielding" on visible stories, the titles:
    # however many codes and tags the archive holds.
    with django_assert_max_num_queries(4):
        found = offered(PUBLIC_AUDIENCE, "shiel")
    assert ("theme", "Shielding") in found
