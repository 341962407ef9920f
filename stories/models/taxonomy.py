"""The two taxonomies: the built-in co-production values and the curated themes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class TaxonomyTerm(models.Model):
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ValueGroup(models.TextChoices):
    AIMS = "aims", "What co-production is meant to achieve"
    CONDUCT = "conduct", "How co-production should be conducted"


class Value(TaxonomyTerm):
    """One of the 18 co-production values; seeded by a migration, slugs are stable."""

    number = models.PositiveSmallIntegerField(unique=True)
    group = models.CharField(max_length=16, choices=ValueGroup.choices)

    class Meta(TaxonomyTerm.Meta):
        ordering = ["number"]


def follow_merges(merged_into: Mapping[int, int | None]) -> dict[int, int]:
    """Each theme id -> the id of the theme that stands for it now, given every theme's
    `merged_into` id: itself when not merged, else the end of its chain of merges.

    A cycle (which merging never makes) stops where the chain comes back round, rather than
    looping; a chain that leaves the mapping stops at the last id it knows.
    """
    final: dict[int, int] = {}
    for theme_id in merged_into:
        current, seen = theme_id, set()
        while (into := merged_into.get(current)) is not None and current not in seen:
            seen.add(current)
            current = into
        final[theme_id] = current
    return final


class ThemeQuerySet(models.QuerySet["Theme"]):
    def active(self) -> ThemeQuerySet:
        """Themes that have not been merged into another."""
        return self.filter(merged_into__isnull=True)

    def final_ids(self) -> dict[int, int]:
        """Each theme id -> the id of the theme that stands for it now (`follow_merges`), in
        one query. Call it on every theme (`Theme.objects.final_ids()`): chains are followed
        through the themes of this queryset only."""
        return follow_merges(dict(self.values_list("pk", "merged_into_id")))


# modelcluster's ParentalKey (synonyms) is unknown to the type stubs.
class Theme(TaxonomyTerm, ClusterableModel):  # type: ignore[django-manager-missing]
    """A curated theme (isolation, shielding, trust in services...).

    Themes nest under a parent, carry synonyms for search, and can be merged: a merged theme
    keeps its row (so old links redirect) and points at the theme that absorbed it.
    """

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        editable=False,
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ThemeQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("parent"),
        FieldPanel("sort_order"),
        InlinePanel("synonyms", label="Synonyms"),
    ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:255]
        super().save(*args, **kwargs)

    @property
    def synonym_names(self) -> list[str]:
        return [s.name for s in self.synonyms.all()]


class ThemeSynonym(Orderable):
    theme = ParentalKey(Theme, on_delete=models.CASCADE, related_name="synonyms")
    name: models.CharField[str, str] = models.CharField(max_length=255)

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["theme", "name"], name="unique_synonym_per_theme")
        ]

    def __str__(self) -> str:
        return self.name
