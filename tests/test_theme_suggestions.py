"""Suggesting a new theme from the coding screen, and a curator accepting (perhaps renamed),
merging or declining it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coding.models import SuggestionStatus, ThemeSuggestion
from coding.services import CodingError, theme_create
from coding.suggestions import (
    suggestion_accept,
    suggestion_decline,
    suggestion_merge,
    theme_suggest,
)
from stories.models import Theme
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db


def test_a_coder_suggests_a_theme_from_the_coding_screen(client, make_story, contributor):
    story = recorded_story(make_story)
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    assert 'id="suggest-theme-heading">Suggest a new theme' in page
    response = client.post(
        reverse("coding:theme_suggest", args=[story.pk]),
        {"name": "  Phone   meetings ", "note": "Joining by phone while shielding."},
    )
    assert response.status_code == 302
    suggestion = ThemeSuggestion.objects.get()
    assert (suggestion.name, suggestion.story, suggestion.suggested_by) == (
        "Phone meetings",
        story,
        contributor,
    )
    assert suggestion.status == SuggestionStatus.PENDING
    assert not Theme.objects.filter(name="Phone meetings").exists()


def test_a_theme_that_exists_or_waits_is_not_suggested_twice(make_story, contributor):
    story = recorded_story(make_story)
    theme_create(name="Being heard")
    with pytest.raises(CodingError):
        theme_suggest(story=story, actor=contributor, name="being heard")
    theme_suggest(story=story, actor=contributor, name="Phone meetings")
    with pytest.raises(CodingError):
        theme_suggest(story=story, actor=contributor, name="PHONE MEETINGS")


def test_the_storyteller_cannot_suggest(client, make_story, storyteller):
    story = recorded_story(make_story)
    client.force_login(storyteller)
    response = client.post(reverse("coding:theme_suggest", args=[story.pk]), {"name": "X"})
    assert response.status_code == 403


def test_a_curator_accepts_under_another_name(make_story, contributor, curator):
    story = recorded_story(make_story)
    parent = theme_create(name="Taking part")
    suggestion = theme_suggest(story=story, actor=contributor, name="Phone meetings")
    with pytest.raises(PermissionDenied):
        suggestion_accept(suggestion=suggestion, actor=contributor)
    theme = suggestion_accept(
        suggestion=suggestion, actor=curator, name="Taking part by phone", parent=parent
    )
    assert theme.parent == parent
    assert [s.name for s in theme.synonyms.all()] == ["Phone meetings"]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.theme, suggestion.reviewed_by) == (
        SuggestionStatus.ACCEPTED,
        theme,
        curator,
    )
    with pytest.raises(CodingError):
        suggestion_decline(suggestion=suggestion, actor=curator)


def test_a_curator_merges_into_an_existing_theme(make_story, contributor, curator):
    story = recorded_story(make_story)
    heard = theme_create(name="Being heard")
    suggestion = theme_suggest(story=story, actor=contributor, name="Listened to")
    assert suggestion_merge(suggestion=suggestion, actor=curator, target=heard) == heard
    assert "Listened to" in [s.name for s in heard.synonyms.all()]
    assert not Theme.objects.filter(name="Listened to").exists()


def test_the_curators_page_lists_and_reviews_suggestions(client, make_story, contributor, curator):
    story = recorded_story(make_story)
    suggestion = theme_suggest(story=story, actor=contributor, name="Phone meetings")
    client.force_login(contributor)
    assert client.get(reverse("coding:theme_suggestions")).status_code == 403
    client.force_login(curator)
    page = client.get(reverse("coding:theme_suggestions")).content.decode()
    assert "“Phone meetings”" in page and "Connor" in page
    review = reverse("coding:theme_suggestion_accept", args=[suggestion.pk])
    assert client.post(review, {"name": "Phone meetings", "parent": ""}).status_code == 302
    assert Theme.objects.filter(name="Phone meetings").exists()
    page = client.get(reverse("coding:theme_suggestions")).content.decode()
    assert "accepted as a new theme" in page
