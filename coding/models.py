"""Tags link a story, or an excerpt of it, to a value or a theme: the coding of the archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coding import units
from stories.models import Story
from stories.visibility import Audience


class TagStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PROPOSED = "proposed", "Proposed by the storyteller"
    DECLINED = "declined", "Declined"


class TagQuerySet(models.QuerySet["Tag"]):
    def accepted(self) -> TagQuerySet:
        return self.filter(status=TagStatus.ACCEPTED)

    def with_quotes(self) -> list[Tag]:
        """The tags, each with its words read now (two queries, however many tags)."""
        tags = list(self)
        found = units.quotes(tags)
        for tag in tags:
            tag._quote = found.get(tag.pk, "")
        return tags

    def on_visible_stories(self, audience: Audience) -> TagQuerySet:
        """Tags whose story `audience` may see (the one visibility rule)."""
        return self.filter(story__in=Story.objects.visible_to(audience).values("pk"))


class Tag(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="tags")
    value = models.ForeignKey(
        "stories.Value", null=True, blank=True, on_delete=models.CASCADE, related_name="tags"
    )
    theme = models.ForeignKey(
        "stories.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="tags"
    )
    # An excerpt is a time range of the transcript (audio/video) or a character range of the
    # text (text stories). No range means the tag is on the whole story.
    start_seconds = models.FloatField(null=True, blank=True)
    end_seconds = models.FloatField(null=True, blank=True)
    char_start = models.PositiveIntegerField(null=True, blank=True)
    char_end = models.PositiveIntegerField(null=True, blank=True)
    memo = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=TagStatus.choices, default=TagStatus.ACCEPTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="tags_made"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Coding workspace (coding): who last changed the tag, and the review of a
    # storyteller's proposal (when, and the note the reviewer left for the storyteller).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = TagQuerySet.as_manager()
    _quote: str | None = None
    # What `coding.reads.decorate` gives a tag for the templates (not stored).
    coder_name: str
    range_label: str
    first_unit: int | None
    reviewer_name: str
    # And what `coding.bands.colour_tags` gives it: its code's colour class and kind.
    colour_css: str
    colour_kind: str

    # Quotes and memos on the storyteller's words: deleted when they withdraw the story.
    erased_on_withdrawal = True

    class Meta:
        db_table = "stories_tag"
        ordering = ["story", "start_seconds", "char_start", "id"]
        indexes = [models.Index(fields=["story", "status"], name="tag_story_status")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(theme__isnull=True))
                | (Q(value__isnull=True) & Q(theme__isnull=False)),
                name="tag_has_value_or_theme",
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__isnull=True)
                | Q(end_seconds__isnull=True)
                | Q(end_seconds__gte=models.F("start_seconds")),
                name="tag_time_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value or self.theme} on {self.story}"

    @property
    def is_excerpt(self) -> bool:
        return self.start_seconds is not None or self.char_start is not None

    @property
    def quote(self) -> str:
        """The excerpt's words as the story says them now ('' for a whole-story tag).

        Read from the transcript or text when shown, never stored: a correction or a redaction
        reaches every quote. Lists load them in bulk with `coding.units.quotes`
        (`TagQuerySet.with_quotes`).
        """
        if self._quote is None:
            self._quote = units.quotes([self]).get(self.pk, "")
        return self._quote

    def refresh_from_db(self, *args, **kwargs) -> None:
        self._quote = None  # read the words again, too
        super().refresh_from_db(*args, **kwargs)

    @property
    def code(self):
        """The value or theme this tag links to."""
        return self.value if self.value_id else self.theme

    @property
    def code_kind(self) -> str:
        return "value" if self.value_id else "theme"


class QdpxImport(models.Model):
    """A REFI-QDA project made elsewhere, read into a project's stories as proposals.

    What it held is not kept (only the summary): its codings became proposed tags, which a
    curator reviews as any other proposal, and its unknown codes became `ImportedTheme`s.
    """

    project = models.ForeignKey("stories.Project", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)  # what was matched, proposed and skipped, and why

    def __str__(self) -> str:
        return f"{self.file_name} into {self.project}"


class ImportedThemeStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a curator"
    ADDED = "added", "Added as a new theme"
    MERGED = "merged", "Merged into a theme"
    DECLINED = "declined", "Declined"


class ImportedTheme(models.Model):
    """A code of an imported project that matched no value or theme: proposed as a new theme.

    Its codings wait here (story and range, no words) until a curator adds it as a theme or
    merges it into one (then they become proposed tags) or declines it (then they go).
    """

    source = models.ForeignKey(QdpxImport, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    codings = models.JSONField(default=list)  # [{story, start_seconds, ..., memo}]
    status = models.CharField(
        max_length=16, choices=ImportedThemeStatus.choices, default=ImportedThemeStatus.PROPOSED
    )
    theme = models.ForeignKey(
        "stories.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source", "name"]

    def __str__(self) -> str:
        return self.name


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a curator"
    ACCEPTED = "accepted", "Accepted as a new theme"
    MERGED = "merged", "Merged into an existing theme"
    DECLINED = "declined", "Declined"


class ThemeSuggestion(models.Model):
    """A coder's "suggest a new theme", made from the coding screen when nothing in the
    codebook fits; a curator accepts it (perhaps renamed), merges it into an existing theme (its
    name then a synonym there) or declines it. It holds no words of the story."""

    name = models.CharField(max_length=255)
    note = models.TextField(blank=True)
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    theme = models.ForeignKey(
        "stories.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
