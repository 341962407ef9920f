"""Stories and their status workflow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from stories.storage import story_storage
from stories.visibility import Audience, visible_q


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


class StoryQuerySet(models.QuerySet["Story"]):
    def visible_to(self, audience: Audience) -> StoryQuerySet:
        """The one read path: only what this audience has consent to see."""
        return self.filter(visible_q(audience, timezone.now()))

    def was_withdrawn(self, pk: int) -> bool:
        """Whether this id belonged to a story its storyteller withdrew (its URLs answer 410)."""
        return self.filter(pk=pk, status=S.WITHDRAWN).exists()

    def with_theme(self, theme) -> StoryQuerySet:
        return self.filter(tags__theme=theme).distinct()

    def with_value(self, value) -> StoryQuerySet:
        return self.filter(tags__value=value).distinct()


def story_media_path(story: Story, filename: str) -> str:
    return f"stories/{story.storyteller_id}/{filename}"


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

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
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
