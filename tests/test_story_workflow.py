from __future__ import annotations

import pytest

from stories import services
from stories.models import TRANSITIONS, InvalidTransition, Story, StoryEvent, StoryStatus

ALL = list(StoryStatus)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_only_listed_transitions_are_allowed(current, target):
    story = Story(status=current)
    if target in TRANSITIONS[current]:
        story.transition_to(target)
        assert story.status == target
    else:
        with pytest.raises(InvalidTransition) as refused:
            story.transition_to(target)
        assert "cannot become" in str(refused.value)
        assert story.status == current


def test_withdrawal_is_reachable_from_every_state_and_final():
    for status in ALL:
        if status != StoryStatus.WITHDRAWN:
            assert StoryStatus.WITHDRAWN in TRANSITIONS[status]
    assert TRANSITIONS[StoryStatus.WITHDRAWN] == frozenset()


@pytest.mark.django_db
def test_a_transition_leaves_an_audit_event(make_story, storyteller):
    story = make_story(status="awaiting_review")
    services.story_transition(story=story, target="approved", actor=storyteller)
    story.refresh_from_db()
    assert story.status == "approved"
    event = StoryEvent.objects.filter(story_id=story.pk).first()
    assert event.action == "story.approved"
    assert event.actor == storyteller
    assert event.data == {"previous": "awaiting_review"}


@pytest.mark.django_db
def test_publishing_needs_public_consent(make_story, curator):
    story = make_story(status="approved", consent={"public": False})
    with pytest.raises(ValueError, match="has not agreed to their story being shown publicly"):
        services.story_publish(story=story, actor=curator)
    story.refresh_from_db()
    assert story.status == "approved"


@pytest.mark.django_db
def test_a_draft_cannot_be_published(make_story, curator):
    story = make_story(status="draft")
    with pytest.raises(services.PublicationRefused, match="has not approved the written story"):
        services.story_publish(story=story, actor=curator)


@pytest.mark.django_db
def test_consent_changes_append_history_and_never_overwrite(make_story, storyteller):
    story = make_story(consent={"public": True})
    first = story.consent
    services.consent_record(
        story=story, actor=storyteller, method="written", archive=True, public=False
    )
    story.refresh_from_db()
    assert story.consent != first
    assert story.consent_history.count() == 2
    first.refresh_from_db()
    assert first.public is True
    with pytest.raises(Exception, match="append-only"):
        first.save()


@pytest.mark.django_db
def test_public_use_without_keeping_in_the_archive_is_refused(make_story, storyteller):
    story = make_story()
    with pytest.raises(Exception, match="kept in the archive"):
        services.consent_record(
            story=story, actor=storyteller, method="written", archive=False, public=True
        )
