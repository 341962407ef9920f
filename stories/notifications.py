"""Emails to storytellers, through Django's email backend.

- `notify_transcript_ready(story)`: the transcription worker calls it when a transcript has
  been written and awaits the storyteller's review.
- `notify_story_published(story)`: called by `stories.services.story_publish`.
- `notify_redaction_by_curator(story, why=...)`: a curator took words out of the story.
- `consent_expiry_reminders_send()`: run by `manage.py send_consent_expiry_reminders`; reminds
  each storyteller once per consent record that it ends within ARCHIVE_CONSENT_REMINDER_DAYS.

Each email sent leaves a StoryEvent (`notification.<kind>`), which is also how reminders stay
idempotent. Storytellers without an email address are skipped (the address is optional).
Emails never quote the story's content: only its title and a link to sign in. Links are on
the archive's own address (`stories.addresses.site_url`, settings.ARCHIVE_BASE_URL).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from stories.addresses import site_url
from stories.audit import story_event_record
from stories.models import Story, StoryEvent, display_name

logger = logging.getLogger(__name__)


def _send(story: Story, kind: str, subject: str, template: str, **context: Any) -> bool:
    email = story.storyteller.email
    if not email:
        return False
    story.refresh_from_db(fields=["status", "title"])  # the caller's copy may be stale
    if story.is_withdrawn:
        return False
    context.update(story=story, name=display_name(story.storyteller))
    send_mail(
        subject=subject,
        message=render_to_string(f"stories/email/{template}", context),
        from_email=None,
        recipient_list=[email],
    )
    story_event_record(story_id=story.pk, action=f"notification.{kind}", **context.get("data", {}))
    return True


def notify_transcript_ready(story: Story) -> bool:
    """Tell the storyteller their transcript is ready to review. Returns whether mail went."""
    return _send(
        story,
        "transcript_ready",
        "Your transcript is ready to check",
        "transcript_ready.txt",
        link=site_url(reverse("storyteller:review", args=[story.pk])),
    )


def notify_story_published(story: Story) -> bool:
    """Tell the storyteller their story is now public."""
    return _send(
        story,
        "published",
        "Your story is now published",
        "published.txt",
        link=site_url(reverse("storyteller:detail", args=[story.pk])),
    )


def consent_expiry_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind storytellers whose consent ends soon; once per consent record. Returns how many."""
    now = now or timezone.now()
    due = (
        Story.objects.consent_ending(now, settings.ARCHIVE_CONSENT_REMINDER_DAYS)
        .exclude(storyteller__email="")
        .select_related("consent", "storyteller__storyteller_profile")
    )
    already = set(
        StoryEvent.objects.filter(
            action="notification.consent_expiry", story_id__in=due.values("pk")
        ).values_list("data__consent_id", flat=True)
    )
    sent = 0
    for story in due:
        if story.consent_id in already:
            continue
        sent += _send(
            story,
            "consent_expiry",
            "Your consent for a story ends soon",
            "consent_expiry.txt",
            expires_at=story.consent.expires_at if story.consent else None,
            link=site_url(reverse("storyteller:consent", args=[story.pk])),
            data={"consent_id": story.consent_id},
        )
    if sent:
        logger.info("Sent %s consent expiry reminders.", sent)
    return sent


def notify_redaction_by_curator(story: Story, *, why: str) -> bool:
    """Tell the storyteller a curator took words out of their story, and why (never the words:
    an email can be read by others, and the words were taken out to be kept private)."""
    return _send(
        story,
        "redaction",
        "Some words were taken out of your story",
        "redaction_by_curator.txt",
        why=why,
        link=site_url(reverse("storyteller:review", args=[story.pk]) + "#redactions"),
    )
