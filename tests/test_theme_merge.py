"""Merging two themes: every tag moves, duplicates collapse, nothing is lost, search follows."""

from __future__ import annotations

import pytest

from coding.models import Tag
from coding.services import (
    CodingError,
    Excerpt,
    tag_create,
    theme_create,
    theme_merge,
)
from stories.models import StoryChange, StoryEvent, Theme, ThemeSynonym
from tests.coding_helpers import recorded_story, second_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes():
    loneliness = theme_create(name="Loneliness", synonyms=["being alone", "isolation"])
    isolation = theme_create(name="Isolation", synonyms=["cut off"])
    return loneliness, isolation


def test_every_tag_moves_to_the_target_and_duplicates_collapse_keeping_memos(
    make_story, contributor, curator, django_user_model, project, themes
):
    loneliness, isolation = themes
    other = second_contributor(django_user_model, project)
    first = recorded_story(make_story, title="Phone calls")
    second = make_story(title="Shielding", text="I did not see anyone for weeks.")
    # The same coder tagged the same excerpt with both themes: they collapse into one.
    tag_create(
        story=first, actor=contributor, code=isolation, excerpt=Excerpt.times(21, 26), memo="A"
    )
    tag_create(
        story=first, actor=contributor, code=loneliness, excerpt=Excerpt.times(21, 26), memo="B"
    )
    # Another coder's tag on the same excerpt is theirs: it moves, it does not collapse.
    tag_create(story=first, actor=other, code=loneliness, excerpt=Excerpt.times(21, 26))
    tag_create(story=second, actor=contributor, code=loneliness, excerpt=Excerpt.chars(0, 31))
    tag_create(story=second, actor=contributor, code=loneliness)  # whole story
    before = Tag.objects.count()

    result = theme_merge(source=loneliness, target=isolation, actor=curator)

    assert (result.moved, result.collapsed) == (3, 1)
    assert Tag.objects.count() == before - 1
    assert not Tag.objects.filter(theme=loneliness).exists()
    assert Tag.objects.filter(theme=isolation).count() == 4
    kept = Tag.objects.get(story=first, created_by=contributor, theme=isolation)
    assert kept.memo == "A\n\nB"
    assert Tag.objects.filter(story=first, created_by=other, theme=isolation).exists()


def test_the_source_points_at_the_target_and_its_names_become_synonyms(curator, themes):
    loneliness, isolation = themes
    theme_merge(source=loneliness, target=isolation, actor=curator)
    loneliness.refresh_from_db()
    assert loneliness.merged_into == isolation and loneliness.merged_at is not None
    assert set(Theme.objects.active()) == {isolation}
    # "isolation" was a synonym of Loneliness but is the target's own name: not duplicated.
    assert sorted(isolation.synonym_names, key=str.casefold) == [
        "being alone",
        "cut off",
        "Loneliness",
    ]
    assert not ThemeSynonym.objects.filter(theme=loneliness).exists()


def test_child_themes_and_earlier_merges_follow_the_target(curator, themes):
    loneliness, isolation = themes
    night = theme_create(name="Lonely nights", parent=loneliness)
    older = theme_create(name="Solitude")
    theme_merge(source=older, target=loneliness, actor=curator)
    theme_merge(source=loneliness, target=isolation, actor=curator)
    night.refresh_from_db()
    older.refresh_from_db()
    assert night.parent == isolation
    assert older.merged_into == isolation


def test_a_target_nested_under_the_source_moves_up(curator):
    parent = theme_create(name="Wellbeing")
    child = theme_create(name="Mental health", parent=parent)
    theme_merge(source=parent, target=child, actor=curator)
    child.refresh_from_db()
    assert child.parent is None


def test_search_follows_every_affected_story_in_the_same_transaction(
    make_story, contributor, curator, themes
):
    loneliness, isolation = themes
    a = make_story(title="A")
    b = make_story(title="B")
    untouched = make_story(title="C")
    tag_create(story=a, actor=contributor, code=loneliness)
    tag_create(story=b, actor=contributor, code=isolation)  # its theme gains synonyms
    StoryChange.objects.all().delete()
    result = theme_merge(source=loneliness, target=isolation, actor=curator)
    assert set(StoryChange.objects.values_list("story_id", flat=True)) == {a.pk, b.pk}
    assert result.story_ids == {a.pk, b.pk}
    assert untouched.pk not in result.story_ids
    assert StoryEvent.objects.filter(action="theme.merged", story_id=a.pk).exists()


def test_merging_a_theme_into_itself_or_into_a_merged_theme_is_refused(curator, themes):
    loneliness, isolation = themes
    with pytest.raises(CodingError, match="two different themes"):
        theme_merge(source=isolation, target=isolation, actor=curator)
    theme_merge(source=loneliness, target=isolation, actor=curator)
    with pytest.raises(CodingError, match="already merged"):
        theme_merge(source=loneliness, target=isolation, actor=curator)
    third = theme_create(name="Community")
    with pytest.raises(CodingError, match="Merge into that theme instead"):
        theme_merge(source=third, target=loneliness, actor=curator)
