"""Stories and their status workflow."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from stories.audience import CONTRIBUTOR, CURATOR, RESEARCHER, STORYTELLER, Audience
from stories.models.project import ProjectMembership
from stories.storage import story_storage


class StoryKind(models.TextChoices):
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    TEXT = "text", "Text"


class StoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    UPLOADED = "uploaded", "Uploaded"
    TRANSCRIBING = "transcribing", "Transcribing"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = StoryStatus
# Every allowed move; anything else is refused. Withdrawal is possible from everywhere
# and final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.UPLOADED, S.AWAITING_REVIEW, S.WITHDRAWN}),
    S.UPLOADED: frozenset({S.TRANSCRIBING, S.AWAITING_REVIEW, S.WITHDRAWN}),
    S.TRANSCRIBING: frozenset({S.AWAITING_REVIEW, S.UPLOADED, S.WITHDRAWN}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.UPLOADED, S.TRANSCRIBING, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PUBLISHED, S.AWAITING_REVIEW, S.WITHDRAWN}),
    S.PUBLISHED: frozenset({S.APPROVED, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (withdrawal is final)"
        super().__init__(
            f"A story that is {S(current).label.lower()} cannot become "
            f"{S(target).label.lower()}. Allowed next steps: {allowed}."
        )


# --- The one visibility rule (explained in stories/visibility.py) ----------------------------

VISIBLE_TO_RESEARCHERS = (S.APPROVED, S.PUBLISHED)
# What a story card shows: title, summary, kind, attribution (consent and storyteller profile).
CARD_RELATED = ("consent", "storyteller__storyteller_profile", "project")


def live_q(now: datetime.datetime) -> Q:
    """The story's current consent is live: recorded, not withdrawn, not expired."""
    return (
        Q(consent__isnull=False)
        & Q(consent__withdrawn=False)
        & (Q(consent__expires_at__isnull=True) | Q(consent__expires_at__gt=now))
    )


def unsealed_q(today: datetime.date) -> Q:
    """The story is not sealed on `today`."""
    return Q(consent__sealed_until__isnull=True) | Q(consent__sealed_until__lte=today)


def consent_ending_q(now: datetime.datetime, days: int) -> Q:
    """The story's live consent ends within `days` of `now`."""
    horizon = now + datetime.timedelta(days=days)
    return (
        ~Q(status=S.WITHDRAWN)
        & Q(consent__withdrawn=False, consent__expires_at__gt=now)
        & Q(consent__expires_at__lte=horizon)
    )


def visible_q(audience: Audience, now: datetime.datetime) -> Q:
    """A filter on Story for everything `audience` may see at `now`."""
    today = now.date()
    live = live_q(now)
    allowed = live & unsealed_q(today) & Q(consent__public=True) & Q(status=S.PUBLISHED)
    if audience.is_public:
        return allowed & ~Q(status=S.WITHDRAWN)
    if audience.has(RESEARCHER):
        allowed |= (
            live
            & unsealed_q(today)
            & Q(consent__researchers=True)
            & Q(status__in=VISIBLE_TO_RESEARCHERS)
        )
    if audience.has(CONTRIBUTOR):
        member_of = ProjectMembership.objects.filter(user_id=audience.user_id).values("project_id")
        allowed |= live & unsealed_q(today) & Q(consent__archive=True) & Q(project_id__in=member_of)
    if audience.has(CURATOR):
        allowed |= live & Q(consent__archive=True)
    if audience.has(STORYTELLER):
        allowed |= Q(storyteller_id=audience.user_id)
    return allowed & ~Q(status=S.WITHDRAWN)


def why_not_public(story: Story, now: datetime.datetime) -> str | None:
    """Why the public cannot see `story` at `now`, in a few words, or None when it can.

    The same decision as `visible_q(PUBLIC_AUDIENCE, now)`, read from a story already loaded
    (with its consent), for screens that explain it: the collection editor, the story screen.
    """
    consent = story.consent
    if story.status == S.WITHDRAWN or (consent is not None and consent.withdrawn):
        return "withdrawn"
    if consent is None:
        return "no consent recorded"
    if consent.expires_at is not None and consent.expires_at <= now:
        return "consent ended"
    if not consent.public:
        return "no public consent"
    if consent.sealed_until is not None and consent.sealed_until > now.date():
        sealed = consent.sealed_until
        return f"sealed until {sealed.day} {sealed:%B %Y}"
    if story.status != S.PUBLISHED:
        return "not published"
    return None


class StoryQuerySet(models.QuerySet["Story"]):
    def visible_to(self, audience: Audience) -> StoryQuerySet:
        """The one read path: only what this audience has consent to see."""
        return self.filter(visible_q(audience, timezone.now()))

    def as_cards(self) -> StoryQuerySet:
        """What a story card needs (title, summary, attribution) in the same query, no text."""
        return self.select_related(*CARD_RELATED).defer("text_body")

    def consent_ending(self, now: datetime.datetime, days: int) -> StoryQuerySet:
        """Stories whose live consent ends within `days` of `now` (the reminder window)."""
        return self.filter(consent_ending_q(now, days))

    def was_withdrawn(self, pk: int) -> bool:
        """Whether this id belonged to a story its storyteller withdrew (its URLs answer 410)."""
        return self.filter(pk=pk, status=S.WITHDRAWN).exists()


def story_media_path(story: Story, filename: str) -> str:
    """stories/<storyteller id>/<story id>/<file name>: one folder per story.

    Only the last part of `filename` is kept, so a name that is already a path is not nested
    again. Files stored under older layouts keep their recorded names and still open.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if story.pk is None:
        return f"stories/{story.storyteller_id}/{name}"
    return f"stories/{story.storyteller_id}/{story.pk}/{name}"


class Story(models.Model):
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=StoryKind.choices)
    # Private storage: streamed only by the `stories:media` view, never from MEDIA_URL.
    media = models.FileField(
        upload_to=story_media_path, storage=story_storage, blank=True, max_length=500
    )
    media_duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    text_body = models.TextField(blank=True)
    language = models.CharField(max_length=16, default="en")
    storyteller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stories"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories_uploaded",
    )
    on_behalf = models.BooleanField(
        default=False, help_text="Uploaded by a contributor on the storyteller's behalf."
    )
    project = models.ForeignKey(
        "stories.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    status = models.CharField(max_length=16, choices=StoryStatus.choices, default=S.DRAFT)
    # The current consent (the newest ConsentRecord), kept here so that the visibility rule
    # is one indexed join rather than a "latest row" subquery on every read.
    consent = models.OneToOneField(
        "stories.ConsentRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    told_on = models.DateField(null=True, blank=True, help_text="When the story was told.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Scheduled publication (stories.publication): the upkeep publishes the story at this time,
    # as the curator who set it, through the same rule as "Publish now".
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.title)[:255] or "story"
        super().save(*args, **kwargs)

    def can_transition_to(self, target: str) -> bool:
        return target in TRANSITIONS[self.status]

    def transition_to(self, target: str) -> None:
        """Move along the workflow; callers save. Raises InvalidTransition."""
        if not self.can_transition_to(target):
            raise InvalidTransition(self.status, target)
        self.status = target
        if target == S.PUBLISHED:
            self.published_at = timezone.now()
        elif target == S.WITHDRAWN:
            self.withdrawn_at = timezone.now()

    @property
    def is_withdrawn(self) -> bool:
        return self.status == S.WITHDRAWN

    @property
    def has_media(self) -> bool:
        return self.kind in (StoryKind.AUDIO, StoryKind.VIDEO)
