"""Publication: putting a story on the public site, taking it off, and scheduling it.

Only curators publish. A story may go public only when the rule below allows it, and every
refusal says why in plain words:
- its storyteller has not withdrawn it, and it is not published already;
- its current consent is live (not withdrawn, not expired) and agrees to public showing;
- it is not sealed (nobody but the storyteller sees it before `consent.sealed_until`);
- its storyteller approved it: the transcript of a recording, or the words of a written story
  (either way the story is `approved`).

Unpublishing takes it off every public path at once: its status goes back to approved in the
same transaction as the change-log row, and every public read path (pages, feeds, sitemaps,
search, API, media) asks the visibility rule, so they all follow. Researchers, contributors
and curators keep what its consent gives them.

A curator may schedule publication (`publish_at`); `scheduled_publications_run`, an upkeep
step of the archive's worker, publishes due stories through `story_publish`, as the curator
who scheduled it. When the rule refuses, the refusal is recorded once; the schedule is kept
while the refusal may clear by itself (the seal ends, the storyteller approves), and cleared
when it cannot (withdrawn, consent ended or not public, the scheduler no longer a curator).
Every action leaves an audit row (`story_event_record`) with who and when.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stories.audience import CURATOR, audience_for
from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import RedactedMedia, RenditionState, Story, StoryEvent, StoryStatus
from stories.notifications import notify_story_published
from stories.types import Actor, User

logger = logging.getLogger(__name__)

S = StoryStatus

# Why a publication is refused (`Refusal.code`).
WITHDRAWN = "withdrawn"
PUBLISHED = "published"
NO_CONSENT = "no_consent"
CONSENT_ENDED = "consent_ended"
NOT_PUBLIC = "not_public"
SEALED = "sealed"
NOT_APPROVED = "not_approved"
REDACTION_HEARD = "redaction_heard"
# Refusals that may clear by themselves: a scheduled publication waits for them.
MAY_CLEAR = frozenset({SEALED, NOT_APPROVED})


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


class PublicationRefused(ValueError):
    """The rule does not allow this publication; `reasons` say why, in plain words."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(" ".join(r.reason for r in refusals))

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.refusals)


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def publication_refusals(story: Story, now: datetime.datetime | None = None) -> list[Refusal]:
    """Why `story` may not be published at `now`; empty when it may."""
    now = now or timezone.now()
    if story.status == S.WITHDRAWN:
        return [Refusal(WITHDRAWN, "Its storyteller withdrew this story; it can never be shown.")]
    if story.status == S.PUBLISHED:
        return [Refusal(PUBLISHED, "This story is already published.")]
    refusals = []
    consent = story.consent
    if consent is None:
        refusals.append(
            Refusal(NO_CONSENT, "No consent is recorded for this story, so it cannot be shown.")
        )
    elif not consent.is_live(now):
        refusals.append(
            Refusal(
                CONSENT_ENDED,
                "The storyteller's consent has ended. Ask them to give it again before publishing.",
            )
        )
    elif not consent.public:
        refusals.append(
            Refusal(
                NOT_PUBLIC,
                "The storyteller has not agreed to their story being shown publicly. Ask them "
                "to update their consent before publishing.",
            )
        )
    elif consent.is_sealed(now.date()):
        sealed = consent.sealed_until
        assert sealed is not None  # is_sealed says so
        refusals.append(
            Refusal(
                SEALED,
                f"The storyteller asked that nobody sees this story before {_day(sealed)}. "
                "Schedule it for that day or later.",
            )
        )
    heard = RedactedMedia.objects.filter(story=story, state=RenditionState.FAILED)
    if story.has_media and heard.exists():
        refusals.append(
            Refusal(
                REDACTION_HEARD,
                "Words taken out of this story can still be heard in its redacted recording "
                "(the check by listening failed). Widen the redaction with the storyteller; "
                "the recording is made and checked again.",
            )
        )
    if story.status != S.APPROVED:
        what = "transcript" if story.has_media else "written story"
        refusals.append(
            Refusal(
                NOT_APPROVED,
                f"The storyteller has not approved the {what} yet (the story is "
                f"{S(story.status).label.lower()}).",
            )
        )
    return refusals


def unpublication_refusals(story: Story) -> list[Refusal]:
    """Why `story` may not be taken off the public site; empty when it may."""
    if story.status != S.PUBLISHED:
        return [
            Refusal(
                "not_published",
                "This story is not published, so there is nothing to take off the public site.",
            )
        ]
    return []


def _require_curator(actor: Actor, doing: str) -> User:
    if actor is None or not audience_for(actor).has(CURATOR):
        raise PermissionDenied(f"Only curators can {doing}.")
    return actor


def story_publish(*, story: Story, actor: Actor, scheduled: bool = False) -> Story:
    """Put the story on the public site (a curator), or refuse with why (PublicationRefused).

    The storyteller is emailed once it commits. `scheduled`: the upkeep publishes it on the
    schedule `actor` set, which the audit row says.
    """
    curator = _require_curator(actor, "publish stories")
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        refusals = publication_refusals(locked)
        if refusals:
            raise PublicationRefused(refusals)
        previous = locked.status
        locked.transition_to(S.PUBLISHED)
        locked.publish_at = None
        locked.publish_scheduled_by = None
        locked.save(
            update_fields=[
                "status",
                "published_at",
                "publish_at",
                "publish_scheduled_by",
                "updated_at",
            ]
        )
        story_event_record(
            story_id=locked.pk,
            action="story.published",
            actor=curator,
            previous=previous,
            scheduled=scheduled,
        )
        story_changed(story_ids=[locked.pk])
        transaction.on_commit(lambda: notify_story_published(locked))
    _copy_state(locked, story)
    return story


def story_unpublish(*, story: Story, actor: Actor) -> Story:
    """Take a published story off every public path at once (back to approved).

    Search, pages, feeds, sitemaps, the API and media all follow the visibility rule and the
    change log written here; caches that might hold a public page are cleared after commit.
    Researchers and others keep what the story's consent gives them.
    """
    curator = _require_curator(actor, "unpublish stories")
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        refusals = unpublication_refusals(locked)
        if refusals:
            raise PublicationRefused(refusals)
        locked.transition_to(S.APPROVED)
        locked.save(update_fields=["status", "updated_at"])
        story_event_record(story_id=locked.pk, action="story.unpublished", actor=curator)
        story_changed(story_ids=[locked.pk])
        transaction.on_commit(cache.clear)
    _copy_state(locked, story)
    return story


def story_schedule_publication(
    *,
    story: Story,
    actor: Actor,
    publish_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> Story:
    """Set (or with None, clear) the time the upkeep publishes the story, as this curator.

    Refused when it could never happen (withdrawn, published, no live public consent), when
    the time has passed, or when the story is still sealed then. A story not yet approved may
    be scheduled: it is published at the time if its storyteller has approved it by then.
    """
    curator = _require_curator(actor, "schedule publication")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if publish_at is None:
            if locked.publish_at is not None:
                locked.publish_at = None
                locked.publish_scheduled_by = None
                locked.save(update_fields=["publish_at", "publish_scheduled_by", "updated_at"])
                story_event_record(
                    story_id=locked.pk, action="publication.unscheduled", actor=curator
                )
            _copy_state(locked, story)
            return story
        if publish_at <= now:
            raise PublicationRefused(
                [Refusal("past", "Choose a time in the future, or publish the story now.")]
            )
        refusals = [
            r for r in publication_refusals(locked, publish_at) if r.code not in (NOT_APPROVED,)
        ]
        if refusals:
            raise PublicationRefused(refusals)
        locked.publish_at = publish_at
        locked.publish_scheduled_by = curator
        locked.save(update_fields=["publish_at", "publish_scheduled_by", "updated_at"])
        story_event_record(
            story_id=locked.pk,
            action="publication.scheduled",
            actor=curator,
            publish_at=publish_at.isoformat(),
        )
    _copy_state(locked, story)
    return story


def scheduled_publications_run(*, now: datetime.datetime | None = None) -> int:
    """Upkeep: publish every story whose scheduled time has come. Returns how many went public.

    A refusal is recorded once per schedule (`publication.schedule_refused`, with the reasons);
    the schedule stays while the refusal may clear by itself and is cleared otherwise.
    """
    now = now or timezone.now()
    published = 0
    due = Story.objects.filter(publish_at__lte=now).select_related("publish_scheduled_by")
    for story in due.order_by("publish_at", "pk"):
        scheduled_for = story.publish_at.isoformat() if story.publish_at else ""
        try:
            story_publish(story=story, actor=story.publish_scheduled_by, scheduled=True)
        except PermissionDenied:
            refused = PublicationRefused(
                [
                    Refusal(
                        "scheduler",
                        "The person who scheduled it is no longer a curator; a curator must "
                        "schedule it again.",
                    )
                ]
            )
            _schedule_refused(story, refused, scheduled_for, keep=False)
        except PublicationRefused as refused:
            _schedule_refused(story, refused, scheduled_for, keep=refused.codes <= MAY_CLEAR)
        else:
            published += 1
    if published:
        logger.info("Published %s scheduled stories.", published)
    return published


def _schedule_refused(
    story: Story, refused: PublicationRefused, scheduled_for: str, *, keep: bool
) -> None:
    with transaction.atomic():
        already = StoryEvent.objects.filter(
            story_id=story.pk,
            action="publication.schedule_refused",
            data__publish_at=scheduled_for,
            data__reason=str(refused),
        ).exists()
        if not already:
            story_event_record(
                story_id=story.pk,
                action="publication.schedule_refused",
                publish_at=scheduled_for,
                reason=str(refused),
                codes=sorted(refused.codes),
                kept=keep,
            )
        if not keep:
            Story.objects.filter(pk=story.pk, publish_at=story.publish_at).update(
                publish_at=None, publish_scheduled_by=None
            )


def _copy_state(source: Story, target: Story) -> None:
    """The caller's copy of the story says what the locked row now says."""
    for name in ("status", "published_at", "publish_at", "publish_scheduled_by_id"):
        setattr(target, name, getattr(source, name))
