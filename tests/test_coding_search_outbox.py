"""Search follows tags: every tag change writes an outbox row in its own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from coding.services import (
    CodingError,
    Excerpt,
    tag_accept,
    tag_create,
    tag_decline,
    tag_delete,
    tag_propose,
    tag_update,
)
from stories.models import StoryChange, Value

pytestmark = pytest.mark.django_db


def rows_for(story) -> int:
    return StoryChange.objects.filter(story_id=story.pk).count()


def test_every_tag_change_leaves_an_outbox_row(make_story, contributor, storyteller):
    story = make_story(text="We planted the garden together and it grew.")
    equality = Value.objects.get(slug="equality")
    human = Value.objects.get(slug="human")
    steps = [
        lambda: tag_create(
            story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 18)
        ),
        lambda: tag_update(tag=story.tags.get(value=equality), actor=contributor, memo="Yes."),
        lambda: tag_propose(story=story, actor=storyteller, code=human),
        lambda: tag_accept(tag=story.tags.get(value=human), actor=contributor),
        lambda: tag_decline(
            tag=tag_propose(
                story=story, actor=storyteller, code=Value.objects.get(slug="training")
            ),
            actor=contributor,
        ),
        lambda: tag_delete(tag=story.tags.get(value=equality), actor=contributor),
    ]
    for step in steps:
        # As a drain leaves it: a story with a row still waiting gets no second one.
        StoryChange.objects.filter(story_id=story.pk).delete()
        step()
        assert rows_for(story) == 1


def test_the_outbox_row_rolls_back_with_the_tag(make_story, contributor):
    story = make_story()
    before = rows_for(story)
    with pytest.raises(RuntimeError), transaction.atomic():
        tag_create(story=story, actor=contributor, code=Value.objects.get(slug="equality"))
        raise RuntimeError("the surrounding work failed")
    assert story.tags.count() == 0
    assert rows_for(story) == before


def test_a_refused_tag_writes_no_outbox_row(make_story, contributor):
    story = make_story()
    equality = Value.objects.get(slug="equality")
    tag_create(story=story, actor=contributor, code=equality)
    before = rows_for(story)
    with pytest.raises(CodingError):
        tag_create(story=story, actor=contributor, code=equality)
    assert rows_for(story) == before
