"""The curator's queues: what waits on the desk, counted through the visibility rule.

`desk_queues(audience)` answers every queue in a fixed number of queries, however many stories
the archive holds: one aggregate over the stories this curator may see (ready to publish,
waiting for the storyteller's review, consent ending soon, redacted recordings that failed
their check), one count of tag proposals, one
aggregate of transcription jobs, and two reads of the withdrawal log.

Withdrawals are tombstones: a story id and the date of its "consent.withdrawn" event, nothing
of the story. A withdrawn story is seen by nobody, so the rule cannot be asked about it any
more; a tombstone is listed when the story's consent before withdrawal kept it in the archive,
that is, when curators could see it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from coding.models import Tag, TagStatus
from stories.audience import CURATOR, Audience
from stories.models import (
    ConsentRecord,
    RenditionState,
    Story,
    StoryEvent,
    StoryQuerySet,
    StoryStatus,
)
from stories.models.story import consent_ending_q, live_q, unsealed_q
from transcribe.models import JobState, TranscriptionJob

# A due job that no worker has taken for this long is stuck (workers poll every few seconds).
QUEUED_TOO_LONG = datetime.timedelta(hours=1)
# The transcription desk's filter for failed and stuck jobs (`?state=attention`).
ATTENTION = "attention"
RECENT_WITHDRAWALS_DAYS = 30
TOMBSTONES_SHOWN = 5
WITHDRAWN = "consent.withdrawn"


@dataclass(frozen=True)
class Tombstone:
    story_id: int
    at: datetime.datetime


@dataclass(frozen=True)
class DeskCounts:
    ready: int
    review: int
    proposals: int
    transcriptions: int
    renditions: int
    consent_ending: int
    withdrawals: int
    tombstones: tuple[Tombstone, ...]


def is_curator(audience: Audience) -> bool:
    return audience.has(CURATOR)


def rendition_attention_q() -> Q:
    """Stories whose redacted recording failed its check by listening, or whose rendition job
    failed: the recording stays unavailable until a curator looks (as
    `transcribe.renditions.renditions_needing_attention`, on the story)."""
    return Q(redacted_media__state=RenditionState.FAILED) | Q(
        redacted_media__state=RenditionState.PENDING,
        rendition_job__state=JobState.FAILED,
        rendition_job__generation=F("redacted_media__generation"),
    )


def ready_q(now: datetime.datetime) -> Q:
    """Approved, with live consent to be shown publicly, and not sealed (the rule's parts)."""
    return (
        Q(status=StoryStatus.APPROVED, consent__public=True) & live_q(now) & unsealed_q(now.date())
    )


def visible_stories(audience: Audience) -> StoryQuerySet:
    return Story.objects.visible_to(audience)


def ready_stories(audience: Audience, now: datetime.datetime) -> StoryQuerySet:
    return visible_stories(audience).filter(ready_q(now))


def consent_ending_stories(audience: Audience, now: datetime.datetime) -> StoryQuerySet:
    return visible_stories(audience).consent_ending(now, settings.ARCHIVE_CONSENT_REMINDER_DAYS)


def withdrawals(now: datetime.datetime):
    """The withdrawal events of the last RECENT_WITHDRAWALS_DAYS, newest first, for stories
    that curators could see before they were withdrawn (see the module's docstring)."""
    held = ConsentRecord.objects.filter(archive=True, withdrawn=False).values("story_id")
    since = now - datetime.timedelta(days=RECENT_WITHDRAWALS_DAYS)
    return StoryEvent.objects.filter(action=WITHDRAWN, at__gte=since, story_id__in=held).order_by(
        "-at", "-id"
    )


def tombstones(now: datetime.datetime, limit: int | None = None) -> tuple[Tombstone, ...]:
    rows = withdrawals(now).values_list("story_id", "at")
    if limit is not None:
        rows = rows[:limit]
    return tuple(Tombstone(story_id=story_id, at=at) for story_id, at in rows)


def desk_queues(audience: Audience, now: datetime.datetime | None = None) -> DeskCounts:
    """Every queue's count for this curator (zero everywhere for anyone else)."""
    now = now or timezone.now()
    if not is_curator(audience):
        return DeskCounts(0, 0, 0, 0, 0, 0, 0, ())
    visible = visible_stories(audience)
    stories = visible.aggregate(
        ready=Count("pk", filter=ready_q(now)),
        review=Count("pk", filter=Q(status=StoryStatus.AWAITING_REVIEW)),
        consent_ending=Count(
            "pk", filter=consent_ending_q(now, settings.ARCHIVE_CONSENT_REMINDER_DAYS)
        ),
        renditions=Count("pk", filter=rendition_attention_q()),
    )
    proposals = Tag.objects.filter(
        status=TagStatus.PROPOSED, story__in=visible.values("pk")
    ).count()
    jobs = TranscriptionJob.objects.filter(story__in=visible.values("pk")).needs_attention(
        now, QUEUED_TOO_LONG
    )
    withdrawn = withdrawals(now)
    return DeskCounts(
        ready=stories["ready"],
        review=stories["review"],
        proposals=proposals,
        transcriptions=jobs.count(),
        renditions=stories["renditions"],
        consent_ending=stories["consent_ending"],
        withdrawals=withdrawn.count(),
        tombstones=tombstones(now, TOMBSTONES_SHOWN),
    )
