"""Collections: Wagtail pages where curators choose and order stories."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from stories.audience import PUBLIC_AUDIENCE, Audience
from stories.models.story import Story
from stories.pages import PublicCacheMixin


class CollectionPage(PublicCacheMixin, Page):
    introduction = RichTextField(blank=True)
    image: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project: models.ForeignKey[Any, Any] = models.ForeignKey(
        "stories.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collections",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldPanel(
            "image",
            help_text="The image needs a description (its alt text): add one in Images.",
        ),
        FieldPanel("project"),
        InlinePanel(
            "collection_stories",
            label="Stories",
            help_text="Only stories whose storytellers agreed to be shown publicly appear.",
        ),
    ]

    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []

    def clean(self) -> None:
        super().clean()
        if self.image is not None and not self.image.description.strip():
            raise ValidationError(
                {
                    "image": (
                        f"The image '{self.image.title}' has no description, so people who "
                        "cannot see it would miss it. Edit the image in Images and write what it "
                        "shows in 'Description', or choose another image."
                    )
                }
            )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        context["stories"] = self.visible_stories(PUBLIC_AUDIENCE)
        return context

    def visible_stories(self, audience: Audience) -> list[Story]:
        """The stories of this collection that `audience` may see, in the curator's order.

        Reads the page's own (possibly unsaved, in a preview) list of chosen stories, then asks
        the visibility rule which of them may be shown.
        """
        order = [item.story_id for item in self.collection_stories.all()]
        position = {story_id: index for index, story_id in enumerate(order)}
        stories = Story.objects.visible_to(audience).filter(pk__in=order).as_cards()
        return sorted(stories, key=lambda story: position[story.pk])


class CollectionStory(Orderable):
    page = ParentalKey(CollectionPage, on_delete=models.CASCADE, related_name="collection_stories")
    story: models.ForeignKey[Story, Story] = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("story")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "story"], name="unique_story_per_collection")
        ]
