"""Collections: Wagtail pages where curators choose and order stories."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin import compare
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.snippets.widgets import AdminSnippetChooser

from stories.audience import PUBLIC_AUDIENCE, Audience, audience_for
from stories.models.story import Story, StoryQuerySet, why_not_public
from stories.pages import PublicCacheMixin

# --- The collection editor: every row's story goes through the visibility rule ------------------

UNAVAILABLE_STORY = "A story that is no longer available"
PUBLIC_CANNOT_SEE = "The public cannot see this story, so the live page leaves it out"
NOT_YOURS_TO_CHOOSE = (
    "This is not a story you can add: choose one with “Choose story”. Only stories whose "
    "storytellers agreed to keep them in the archive can be chosen."
)


class CollectionStoryChooser(AdminSnippetChooser):
    """The story chooser of one collection row: it names only the stories `visible` holds.

    A row may hold a story the curator can no longer see (consent expired, taken out of the
    archive): the row says so, without its title or a link to it.
    """

    def __init__(self, visible: StoryQuerySet, **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(Story, icon="media", **kwargs)

    def get_value_data_from_instance(self, instance: Story) -> dict[str, Any]:
        if not self.visible.filter(pk=instance.pk).exists():
            return {"id": instance.pk, "edit_url": "", self.display_title_key: UNAVAILABLE_STORY}
        data: dict[str, Any] = super().get_value_data_from_instance(instance)
        reason = why_not_public(instance, timezone.now())
        if reason is not None:
            data[self.display_title_key] = f"{data[self.display_title_key]} (not public: {reason})"
        return data


class CollectionStoryForm(WagtailAdminModelForm):
    """A row of a collection in the page editor, for the curator editing it (`for_user`).

    The story field's choices and its validation are the stories the visibility rule lets that
    curator see; a story the row already holds may stay (unnamed) or be removed, but no other
    story id is taken, so an id typed into the form cannot name a story.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("story")
        if field is None:
            return
        visible = Story.objects.visible_to(audience_for(self.for_user))
        held = self.instance.story_id  # what this row holds already (None on a new row)
        allowed = Q(pk__in=visible.values("pk"))
        if held is not None:
            allowed |= Q(pk=held)
        field.queryset = Story.objects.filter(allowed)
        field.widget = CollectionStoryChooser(visible)
        field.error_messages["invalid_choice"] = NOT_YOURS_TO_CHOOSE
        if held is not None:
            reason = hidden_from_public(self.instance.story, visible)
            if reason is not None:
                field.help_text = reason


def hidden_from_public(story: Story, visible: StoryQuerySet) -> str | None:
    """What a collection row says when the public cannot see its story (None when it can).

    A story the curator may see is explained (no public consent, not published, sealed,
    consent ended); one they may not see is only said to be hidden, never why.
    """
    if not visible.filter(pk=story.pk).exists():
        return f"{PUBLIC_CANNOT_SEE}."
    reason = why_not_public(story, timezone.now())
    return None if reason is None else f"{PUBLIC_CANNOT_SEE}: {reason}."


def _unnamed(story: Story | None, visible: StoryQuerySet) -> Story | None:
    """`story`, or a stand-in with its id and no words when `visible` does not hold it."""
    if story is None or visible.filter(pk=story.pk).exists():
        return story
    return Story(pk=story.pk, title=UNAVAILABLE_STORY)


class CollectionStoryComparison(compare.ForeignObjectComparison):
    """Comparing two revisions of a collection names only the stories `visible` holds."""

    def __init__(self, field: Any, obj_a: Any, obj_b: Any, *, visible: StoryQuerySet) -> None:
        super().__init__(field, obj_a, obj_b)
        self.visible = visible

    def get_objects(self) -> tuple[Story | None, Story | None]:
        story_a, story_b = super().get_objects()
        return _unnamed(story_a, self.visible), _unnamed(story_b, self.visible)


class CollectionStoryPanel(FieldPanel):
    """A row's story, compared between revisions for the person looking (see above)."""

    class BoundPanel(FieldPanel.BoundPanel):
        def get_comparison(self) -> list[Callable[..., CollectionStoryComparison]]:
            user = getattr(self.request, "user", None)
            visible = Story.objects.visible_to(audience_for(user))
            return [
                functools.partial(CollectionStoryComparison, self.panel.db_field, visible=visible)
            ]


class CollectionStoriesPanel(InlinePanel):
    """The collection's rows, each a `CollectionStoryForm` that knows who is editing."""

    def get_form_options(self) -> dict[str, Any]:
        options: dict[str, Any] = super().get_form_options()
        formset = options["formsets"][self.relation_name]
        formset["form"] = CollectionStoryForm
        formset["inherit_kwargs"] = ["for_user"]
        return options


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
        CollectionStoriesPanel(
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

    panels = [CollectionStoryPanel("story")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "story"], name="unique_story_per_collection")
        ]
