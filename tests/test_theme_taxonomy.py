"""Curators grow the theme taxonomy: create, rename, nest, synonyms; counts per value and theme."""

from __future__ import annotations

import pytest

from coding import reads
from coding.models import Tag
from coding.services import (
    CodingError,
    tag_create,
    tag_propose,
    theme_create,
    theme_move,
    theme_rename,
    theme_synonym_add,
    theme_synonym_remove,
)
from stories.models import StoryChange, Value
from stories.visibility import audience_for

pytestmark = pytest.mark.django_db


def test_a_new_theme_gets_a_unique_slug_and_its_synonyms(curator):
    theme = theme_create(
        name="  Trust in   services ", synonyms=["faith in services"], actor=curator
    )
    assert theme.name == "Trust in services"
    assert theme.slug == "trust-in-services"
    assert theme.synonym_names == ["faith in services"]
    with pytest.raises(CodingError, match="already a theme called"):
        theme_create(name="trust in services")


def test_renaming_keeps_the_old_name_as_a_synonym_and_search_follows(
    make_story, contributor, curator
):
    theme = theme_create(name="Shielding")
    story = make_story()
    tag_create(story=story, actor=contributor, code=theme)
    StoryChange.objects.all().delete()
    theme_rename(theme=theme, name="Shielding at home", actor=curator)
    theme.refresh_from_db()
    assert theme.name == "Shielding at home"
    assert theme.slug == "shielding"  # links keep working
    assert theme.synonym_names == ["Shielding"]
    assert list(StoryChange.objects.values_list("story_id", flat=True)) == [story.pk]


def test_a_theme_nests_under_a_parent_but_never_inside_itself(curator):
    health = theme_create(name="Health")
    mental = theme_create(name="Mental health")
    anxiety = theme_create(name="Anxiety")
    theme_move(theme=mental, parent=health, actor=curator)
    theme_move(theme=anxiety, parent=mental, actor=curator)
    assert anxiety.parent == mental and mental.parent == health
    with pytest.raises(CodingError, match="inside itself"):
        theme_move(theme=health, parent=anxiety, actor=curator)
    with pytest.raises(CodingError, match="inside itself"):
        theme_move(theme=health, parent=health, actor=curator)
    health.refresh_from_db()
    assert health.parent is None


def test_synonyms_are_added_once_and_removed(curator):
    theme = theme_create(name="Isolation")
    theme_synonym_add(theme=theme, name="loneliness")
    theme_synonym_add(theme=theme, name="Loneliness")
    assert theme_synonym_add(theme=theme, name="isolation") is None  # the name itself
    assert theme.synonym_names == ["loneliness"]
    assert theme_synonym_remove(theme=theme, name="LONELINESS") == 1
    assert theme.synonym_names == []


def test_counts_per_value_and_theme_come_from_one_aggregate_query(
    make_story, contributor, storyteller, django_assert_num_queries
):
    equality = Value.objects.get(slug="equality")
    theme = theme_create(name="Food")
    a, b = make_story(title="A"), make_story(title="B")
    tag_create(story=a, actor=contributor, code=equality)
    tag_create(story=b, actor=contributor, code=equality)
    tag_create(story=a, actor=contributor, code=theme)
    tag_propose(story=b, actor=storyteller, code=theme)  # proposals do not count yet
    audience = audience_for(contributor)
    with django_assert_num_queries(1):
        counts = reads.tag_counts(audience)
    assert counts.values == {equality.pk: 2}
    assert counts.value_stories == {equality.pk: 2}
    assert counts.themes == {theme.pk: 1}
    assert counts.theme_stories == {theme.pk: 1}
    assert Tag.objects.count() == 4
