"""Publication in the domain: who may publish, what the rule refuses and why, unpublishing,
scheduled publication, the audit trail and the storyteller's email."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.module_loading import import_string

from archive.worker import UPKEEP
from stories import services
from stories.models import ConsentMethod, Story, StoryChange, StoryEvent, StoryKind, StoryStatus
from stories.publication import (
    PublicationRefused,
    scheduled_publications_run,
    story_publish,
    story_schedule_publication,
    story_unpublish,
)
from stories.visibility import PUBLIC_AUDIENCE, audience_for

pytestmark = pytest.mark.django_db

S = StoryStatus


@pytest.fixture
def reachable(storyteller):
    storyteller.email = "stella@example.org"
    storyteller.save()
    return storyteller


def _public(story: Story) -> bool:
    return Story.objects.visible_to(PUBLIC_AUDIENCE).filter(pk=story.pk).exists()


def _refusal(story: Story, curator) -> PublicationRefused:
    before = Story.objects.get(pk=story.pk).status
    events = StoryEvent.objects.filter(story_id=story.pk).count()
    with pytest.raises(PublicationRefused) as refused:
        story_publish(story=story, actor=curator)
    story.refresh_from_db()
    assert story.status == before  # nothing changed
    assert StoryEvent.objects.filter(story_id=story.pk).count() == events
    return refused.value


def test_a_curator_publishes_an_approved_story_with_public_consent(make_story, curator):
    story = make_story(status="approved")
    story_publish(story=story, actor=curator)
    story.refresh_from_db()
    assert story.status == S.PUBLISHED and story.published_at is not None
    assert _public(story)
    assert StoryChange.objects.filter(story_id=story.pk).exists()


@pytest.mark.parametrize("role", ["storyteller", "contributor", "researcher", "stranger"])
def test_only_curators_may_publish_or_unpublish(request, make_story, role):
    person = request.getfixturevalue(role)
    approved = make_story(status="approved")
    published = make_story(title="Already out")
    with pytest.raises(PermissionDenied):
        story_publish(story=approved, actor=person)
    with pytest.raises(PermissionDenied):
        story_unpublish(story=published, actor=person)
    with pytest.raises(PermissionDenied):
        story_schedule_publication(
            story=approved, actor=person, publish_at=timezone.now() + datetime.timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        story_publish(story=approved, actor=None)  # nobody at all is no curator either
    approved.refresh_from_db()
    published.refresh_from_db()
    assert (approved.status, published.status) == (S.APPROVED, S.PUBLISHED)


def test_without_public_consent_it_is_refused_saying_so(make_story, curator):
    story = make_story(status="approved", consent={"public": False})
    assert "has not agreed to their story being shown publicly" in str(_refusal(story, curator))


def test_ended_consent_is_refused_saying_so(make_story, curator, storyteller):
    story = make_story(status="approved")
    services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        public=True,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert "consent has ended" in str(_refusal(story, curator))


def test_a_sealed_story_is_refused_with_the_day_it_opens(make_story, curator):
    opens = timezone.now().date() + datetime.timedelta(days=30)
    story = make_story(status="approved", consent={"sealed_until": opens})
    reason = str(_refusal(story, curator))
    assert f"nobody sees this story before {opens.day} {opens:%B %Y}" in reason


def test_a_recording_whose_transcript_is_not_approved_is_refused(make_story, curator):
    story = make_story(status="awaiting_review", kind=StoryKind.AUDIO, text="")
    reason = str(_refusal(story, curator))
    assert "The storyteller has not approved the transcript yet" in reason
    assert "awaiting review" in reason


def test_a_written_story_its_storyteller_has_not_approved_is_refused(make_story, curator):
    story = make_story(status="draft")
    assert "has not approved the written story yet" in str(_refusal(story, curator))


def test_every_reason_is_given_at_once(make_story, curator):
    story = make_story(status="awaiting_review", consent={"public": False})
    refused = _refusal(story, curator)
    assert refused.codes == {"not_public", "not_approved"}


def test_withdrawn_and_published_stories_are_refused(make_story, curator, storyteller):
    published = make_story(title="Out there")
    assert "already published" in str(_refusal(published, curator))
    gone = make_story(status="approved", title="Taken back")
    services.consent_withdraw(story=gone, actor=storyteller)
    assert "withdrew this story" in str(_refusal(gone, curator))


def test_publishing_leaves_an_audit_row_and_tells_the_storyteller(
    reachable, make_story, curator, django_capture_on_commit_callbacks
):
    story = make_story(status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(story=story, actor=curator)
    event = StoryEvent.objects.get(story_id=story.pk, action="story.published")
    assert event.actor == curator and event.at is not None
    assert event.data == {"previous": "approved", "scheduled": False}
    assert [m.subject for m in mail.outbox] == ["Your story is now published"]
    assert mail.outbox[0].to == ["stella@example.org"]


def test_a_refusal_sends_no_email(
    reachable, make_story, curator, django_capture_on_commit_callbacks
):
    story = make_story(status="approved", consent={"public": False})
    with django_capture_on_commit_callbacks(execute=True):
        _refusal(story, curator)
    assert mail.outbox == []


def test_unpublishing_takes_it_off_public_paths_and_researchers_keep_it(
    make_story, curator, researcher
):
    story = make_story()
    assert _public(story)
    StoryChange.objects.all().delete()
    story_unpublish(story=story, actor=curator)
    story.refresh_from_db()
    assert story.status == S.APPROVED
    assert not _public(story)
    assert Story.objects.visible_to(audience_for(researcher)).filter(pk=story.pk).exists()
    assert StoryChange.objects.filter(story_id=story.pk).exists()  # search follows
    event = StoryEvent.objects.get(story_id=story.pk, action="story.unpublished")
    assert event.actor == curator


def test_only_a_published_story_can_be_unpublished(make_story, curator):
    story = make_story(status="approved")
    with pytest.raises(PublicationRefused, match="is not published"):
        story_unpublish(story=story, actor=curator)


def test_scheduled_publication_happens_when_due_and_only_then(
    reachable, make_story, curator, django_capture_on_commit_callbacks
):
    story = make_story(status="approved")
    now = timezone.now()
    at = now + datetime.timedelta(hours=2)
    story_schedule_publication(story=story, actor=curator, publish_at=at)
    story.refresh_from_db()
    assert story.publish_at == at and story.publish_scheduled_by == curator
    scheduled = StoryEvent.objects.get(story_id=story.pk, action="publication.scheduled")
    assert scheduled.actor == curator and scheduled.data == {"publish_at": at.isoformat()}

    assert scheduled_publications_run(now=at - datetime.timedelta(seconds=1)) == 0
    story.refresh_from_db()
    assert story.status == S.APPROVED and not _public(story)

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduled_publications_run(now=at) == 1
    story.refresh_from_db()
    assert story.status == S.PUBLISHED and story.publish_at is None and _public(story)
    event = StoryEvent.objects.get(story_id=story.pk, action="story.published")
    assert event.actor == curator and event.data["scheduled"] is True
    assert [m.subject for m in mail.outbox] == ["Your story is now published"]
    assert scheduled_publications_run(now=at + datetime.timedelta(hours=1)) == 0


def test_the_worker_runs_scheduled_publication_as_an_upkeep_step(make_story, curator):
    assert "stories.publication.scheduled_publications_run" in UPKEEP
    story = make_story(status="approved")
    story_schedule_publication(
        story=story, actor=curator, publish_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    Story.objects.filter(pk=story.pk).update(publish_at=timezone.now())  # its time has come
    (step,) = [import_string(path) for path in UPKEEP if path.startswith("stories.publication")]
    assert step() == 1  # what upkeep_once calls every few seconds
    story.refresh_from_db()
    assert story.status == S.PUBLISHED


def test_a_story_not_yet_approved_waits_on_its_schedule_and_the_refusal_is_recorded_once(
    make_story, curator, storyteller
):
    story = make_story(status="awaiting_review")
    at = timezone.now() + datetime.timedelta(hours=1)
    story_schedule_publication(story=story, actor=curator, publish_at=at)
    for minutes in (0, 1, 2):
        assert scheduled_publications_run(now=at + datetime.timedelta(minutes=minutes)) == 0
    refused = StoryEvent.objects.filter(story_id=story.pk, action="publication.schedule_refused")
    assert refused.count() == 1
    assert refused.get().data["kept"] is True
    assert "has not approved the written story" in refused.get().data["reason"]
    story.refresh_from_db()
    assert story.publish_at == at  # kept: the storyteller may still approve
    services.story_transition(story=story, target="approved", actor=storyteller)
    assert scheduled_publications_run(now=at + datetime.timedelta(minutes=3)) == 1
    story.refresh_from_db()
    assert story.status == S.PUBLISHED


def test_a_schedule_whose_consent_is_taken_back_is_cleared_with_why(
    make_story, curator, storyteller
):
    story = make_story(status="approved")
    at = timezone.now() + datetime.timedelta(hours=1)
    story_schedule_publication(story=story, actor=curator, publish_at=at)
    services.consent_record(
        story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True, public=False
    )
    assert scheduled_publications_run(now=at) == 0
    story.refresh_from_db()
    assert story.publish_at is None and story.status == S.APPROVED
    refused = StoryEvent.objects.get(story_id=story.pk, action="publication.schedule_refused")
    assert refused.data["kept"] is False and refused.data["codes"] == ["not_public"]


def test_a_schedule_set_by_someone_no_longer_a_curator_is_cleared(make_story, curator):
    story = make_story(status="approved")
    at = timezone.now() + datetime.timedelta(hours=1)
    story_schedule_publication(story=story, actor=curator, publish_at=at)
    curator.groups.clear()
    assert scheduled_publications_run(now=at) == 0
    story.refresh_from_db()
    assert story.publish_at is None and story.status == S.APPROVED
    refused = StoryEvent.objects.get(story_id=story.pk, action="publication.schedule_refused")
    assert "no longer a curator" in refused.data["reason"]


def test_scheduling_refuses_the_past_a_seal_and_no_public_consent(make_story, curator):
    now = timezone.now()
    story = make_story(status="approved")
    with pytest.raises(PublicationRefused, match="time in the future"):
        story_schedule_publication(
            story=story, actor=curator, publish_at=now - datetime.timedelta(minutes=1)
        )
    opens = now.date() + datetime.timedelta(days=10)
    sealed = make_story(status="approved", consent={"sealed_until": opens}, title="Sealed")
    with pytest.raises(PublicationRefused, match="Schedule it for that day or later"):
        story_schedule_publication(
            story=sealed, actor=curator, publish_at=now + datetime.timedelta(days=2)
        )
    story_schedule_publication(
        story=sealed, actor=curator, publish_at=now + datetime.timedelta(days=11)
    )
    private = make_story(status="approved", consent={"public": False}, title="Private")
    with pytest.raises(PublicationRefused, match="shown publicly"):
        story_schedule_publication(
            story=private, actor=curator, publish_at=now + datetime.timedelta(days=1)
        )
    assert Story.objects.filter(publish_at__isnull=False).count() == 1


def test_clearing_a_schedule_is_recorded(make_story, curator):
    story = make_story(status="approved")
    story_schedule_publication(
        story=story, actor=curator, publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    story_schedule_publication(story=story, actor=curator, publish_at=None)
    story.refresh_from_db()
    assert story.publish_at is None and story.publish_scheduled_by is None
    event = StoryEvent.objects.get(story_id=story.pk, action="publication.unscheduled")
    assert event.actor == curator
