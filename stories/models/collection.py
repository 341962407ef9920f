"""Collections: Wagtail pages where curators choose and order stories."""

from __future__ import annotations

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page


class CollectionPage(Page):
    introduction = RichTextField(blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "stories.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collections",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldPanel("image"),
        FieldPanel("project"),
        InlinePanel("collection_stories", label="Stories"),
    ]

    parent_page_types = ["archive.HomePage"]
    subpage_types: list[str] = []


class CollectionStory(Orderable):
    page = ParentalKey(CollectionPage, on_delete=models.CASCADE, related_name="collection_stories")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("story")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "story"], name="unique_story_per_collection")
        ]
