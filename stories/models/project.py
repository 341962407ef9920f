from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class CoproductionType(models.TextChoices):
    RICH_COAUTHORED = "rich_coauthored", "Rich co-production, co-authored"
    RICH_NOT_COAUTHORED = "rich_not_coauthored", "Rich co-production, not co-authored"
    VISION_NOT_EXECUTION = "vision_not_execution", "Co-production vision but not execution"
    OTHER_PPI = "other_ppi", "Other PPI approaches"


class Project(ClusterableModel):
    # Wagtail's models carry no types: the fields say theirs.
    name: models.CharField[str, str] = models.CharField(max_length=255)
    slug: models.SlugField[str, str] = models.SlugField(max_length=255, unique=True)
    summary: models.TextField[str, str] = models.TextField(blank=True)
    coproduction_type: models.CharField[str, str] = models.CharField(
        max_length=32, choices=CoproductionType.choices, default=CoproductionType.RICH_COAUTHORED
    )
    partners: models.TextField[str, str] = models.TextField(
        blank=True, help_text="Partner organisations, one per line."
    )
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldPanel("coproduction_type"),
        FieldPanel("partners"),
        InlinePanel("memberships", label="People"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:255]
        super().save(*args, **kwargs)

    @property
    def partner_list(self) -> list[str]:
        return [line.strip() for line in self.partners.splitlines() if line.strip()]


class ProjectMembership(Orderable):
    """Who took part in a project, in which role, and how they agreed to be credited."""

    project = ParentalKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role: models.CharField[str, str] = models.CharField(max_length=32, default="contributor")
    credit_name: models.CharField[str, str] = models.CharField(
        max_length=120, blank=True, help_text="Shown publicly only when they agreed to be named."
    )
    credit_publicly: models.BooleanField[bool, bool] = models.BooleanField(default=False)

    panels = [
        FieldPanel("user"),
        FieldPanel("role"),
        FieldPanel("credit_name"),
        FieldPanel("credit_publicly"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_project_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"
