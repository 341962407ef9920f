"""The storyteller sees the tags on their story and proposes their own; contributors review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from coding import reads
from coding.models import TagStatus
from coding.services import (
    CodingError,
    Excerpt,
    tag_accept,
    tag_create,
    tag_decline,
    tag_propose,
    tag_update,
    tags_add,
)
from stories.models import StoryEvent, Value
from stories.visibility import audience_for

pytestmark = pytest.mark.django_db

TEXT = "My nan taught me to cook. Sharing food is how we look after each other."


@pytest.fixture
def story(make_story):
    return make_story(text=TEXT)


def test_the_storyteller_proposes_a_tag_on_their_own_story(story, storyteller):
    reciprocity = Value.objects.get(slug="reciprocity")
    [tag] = tags_add(
        story=story,
        actor=storyteller,
        codes=[reciprocity],
        excerpt=Excerpt.chars(26, len(TEXT)),
        memo="This is the heart of it.",
    )
    assert tag.status == TagStatus.PROPOSED
    assert tag.created_by == storyteller
    assert tag.quote == "Sharing food is how we look after each other."


def test_only_the_storyteller_proposes(story, stranger):
    with pytest.raises(PermissionDenied):
        tag_propose(story=story, actor=stranger, code=Value.objects.get(slug="human"))


def test_a_contributor_accepts_a_proposal_and_the_storyteller_keeps_the_credit(
    story, storyteller, contributor
):
    tag = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    tag = tag_accept(tag=tag, actor=contributor)
    assert tag.status == TagStatus.ACCEPTED
    assert tag.created_by == storyteller
    assert tag.reviewed_by == contributor and tag.reviewed_at is not None
    assert StoryEvent.objects.filter(story_id=story.pk, action="tag.accepted").exists()


def test_a_declined_proposal_is_kept_with_the_reviewers_note(story, storyteller, contributor):
    tag = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    tag = tag_decline(tag=tag, actor=contributor, note="We use Human for the way it was run.")
    assert tag.status == TagStatus.DECLINED
    assert tag.review_note == "We use Human for the way it was run."
    with pytest.raises(CodingError, match="already declined"):
        tag_accept(tag=tag, actor=contributor)


def test_the_storyteller_cannot_review_their_own_proposal(story, storyteller, researcher):
    tag = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    for person in (storyteller, researcher):  # researchers code, but do not review proposals
        with pytest.raises(PermissionDenied):
            tag_accept(tag=tag, actor=person)


def test_the_storyteller_may_change_a_proposal_only_while_it_waits(story, storyteller, contributor):
    tag = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    assert tag_update(tag=tag, actor=storyteller, memo="Also the food.").memo == "Also the food."
    tag_accept(tag=tag, actor=contributor)
    with pytest.raises(PermissionDenied):
        tag_update(tag=tag, actor=storyteller, memo="Changed my mind.")


def test_the_storyteller_sees_accepted_tags_and_their_own_proposals(
    story, storyteller, contributor, django_user_model
):
    coded = tag_create(story=story, actor=contributor, code=Value.objects.get(slug="learning"))
    mine = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    seen = set(reads.story_tags(story, audience_for(storyteller), coder=False))
    assert seen == {coded, mine}
