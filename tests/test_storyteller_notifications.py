"""Emails to storytellers: transcript ready, story published, consent about to end (once)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stories import services
from stories.models import ConsentMethod, StoryEvent
from stories.notifications import consent_expiry_reminders_send, notify_transcript_ready
from stories.transcripts import transcript_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(storyteller):
    storyteller.email = "stella@example.org"
    storyteller.save()
    return storyteller


def test_transcript_ready_links_to_the_review_screen(reachable, make_story):
    story = make_story(status="awaiting_review")
    assert notify_transcript_ready(story) is True
    (message,) = mail.outbox
    assert message.to == ["stella@example.org"]
    assert message.subject == "Your transcript is ready to check"
    assert "Hello Stella" in message.body
    assert reverse("storyteller:review", args=[story.pk]) in message.body
    assert "Once upon a time" not in message.body  # never the story's words
    assert StoryEvent.objects.filter(action="notification.transcript_ready").exists()


def test_no_email_address_means_no_email(storyteller, make_story):
    assert notify_transcript_ready(make_story(status="awaiting_review")) is False
    assert not mail.outbox


def test_publishing_tells_the_storyteller(
    reachable, curator, make_story, django_capture_on_commit_callbacks
):
    story = make_story(status="awaiting_review")
    transcript_approve(story=story, actor=reachable)
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=story, actor=curator)
    assert [m.subject for m in mail.outbox] == ["Your story is now published"]
    assert reverse("storyteller:detail", args=[story.pk]) in mail.outbox[0].body


def test_consent_expiry_reminders_are_sent_once(reachable, make_story):
    soon = make_story(title="Soon")
    later = make_story(title="Later")
    now = timezone.now()
    for story, days in ((soon, 10), (later, 90)):
        services.consent_record(
            story=story,
            actor=reachable,
            method=ConsentMethod.WRITTEN,
            archive=True,
            expires_at=now + datetime.timedelta(days=days),
        )
    assert consent_expiry_reminders_send() == 1
    (message,) = mail.outbox
    assert '"Soon"' in message.body
    assert reverse("storyteller:consent", args=[soon.pk]) in message.body
    call_command("send_consent_expiry_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert consent_expiry_reminders_send() == 0
    assert len(mail.outbox) == 1
    # A renewed consent that ends soon again is a new reminder.
    services.consent_record(
        story=soon,
        actor=reachable,
        method=ConsentMethod.WRITTEN,
        archive=True,
        expires_at=now + datetime.timedelta(days=20),
    )
    assert consent_expiry_reminders_send() == 1


def test_withdrawn_stories_get_no_reminders(reachable, make_story):
    story = make_story()
    services.consent_record(
        story=story,
        actor=reachable,
        method=ConsentMethod.WRITTEN,
        archive=True,
        expires_at=timezone.now() + datetime.timedelta(days=5),
    )
    services.consent_withdraw(story=story, actor=reachable)
    assert consent_expiry_reminders_send() == 0
    assert notify_transcript_ready(story) is False
