"""Publication in the curator's admin: publish, unpublish and schedule, one story or many.

Each story in the Stories listing gets "Publish", "Unpublish" or "Schedule publication"
(whichever apply); each opens a confirmation page that says what will happen, or why the
rule refuses, and acts on POST through `stories.publication`. The listing's bulk actions
publish or unpublish the chosen stories and report which went through and which were
refused, with why. Only curators act, and only on stories the visibility rule lets them see
(anything else is not found); the services check the role again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets import Button
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from stories.models import Story, StoryQuerySet, StoryStatus
from stories.publication import (
    MAY_CLEAR,
    PublicationRefused,
    Refusal,
    publication_refusals,
    story_publish,
    story_schedule_publication,
    story_unpublish,
    unpublication_refusals,
)
from stories.types import User
from stories.visibility import CURATOR, audience_for

S = StoryStatus


def _is_curator(user: Any) -> bool:
    return bool(user is not None and audience_for(user).has(CURATOR))


def _curator(request: HttpRequest) -> User:
    if not _is_curator(request.user):
        raise PermissionDenied("Only curators publish stories.")
    assert isinstance(request.user, User)
    return request.user


def _visible(request: HttpRequest) -> StoryQuerySet:
    """The stories this curator may see: nothing else is named or acted on."""
    return Story.objects.visible_to(audience_for(request.user)).select_related("consent")


def _listing_url() -> str:
    return reverse("wagtailsnippets_stories_story:list")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(get_valid_next_url_from_request(request) or _listing_url())


def _when(story: Story) -> str:
    when = timezone.localtime(story.publish_at) if story.publish_at else None
    return f"{when:%d %B %Y at %H:%M}" if when else ""


def _act(
    request: HttpRequest,
    story_id: int,
    action: str,
    service: Callable[..., Story],
    refusals: Callable[[Story], list[Refusal]],
    done: str,
) -> HttpResponse:
    """A confirmation page on GET; on POST the service acts, or says why it refused."""
    curator = _curator(request)
    story = get_object_or_404(_visible(request), pk=story_id)
    if request.method == "POST":
        try:
            service(story=story, actor=curator)
        except PublicationRefused as refused:
            messages.error(request, f"“{story.title}” was not {action}ed. {refused}")
        else:
            messages.success(request, f"“{story.title}” {done}")
        return _back(request)
    return _confirm(request, story, action, refusals=refusals(story))


@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, story_id: int) -> HttpResponse:
    return _act(
        request,
        story_id,
        "publish",
        story_publish,
        publication_refusals,
        "is published: it is on the public site now, and its storyteller has been told.",
    )


@require_http_methods(["GET", "POST"])
def unpublish(request: HttpRequest, story_id: int) -> HttpResponse:
    return _act(
        request,
        story_id,
        "unpublish",
        story_unpublish,
        unpublication_refusals,
        "is off the public site. Researchers and others keep what its consent gives them.",
    )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish on",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty to cancel a scheduled publication.",
    )


@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, story_id: int) -> HttpResponse:
    curator = _curator(request)
    story = get_object_or_404(_visible(request), pk=story_id)
    initial = {"publish_at": timezone.localtime(story.publish_at) if story.publish_at else None}
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish_at = form.cleaned_data["publish_at"]
        try:
            story_schedule_publication(story=story, actor=curator, publish_at=publish_at)
        except PublicationRefused as refused:
            messages.error(request, f"“{story.title}” was not scheduled. {refused}")
            form.add_error("publish_at", str(refused))
        else:
            if publish_at is None:
                messages.success(request, f"“{story.title}” is no longer scheduled.")
            else:
                messages.success(request, f"“{story.title}” will be published on {_when(story)}.")
            return _back(request)
    # Refusals that may clear by the chosen time (the seal ends, the teller approves) wait.
    refusals = [r for r in publication_refusals(story) if r.code not in MAY_CLEAR]
    return _confirm(request, story, "schedule", refusals=refusals, form=form)


TITLES = {"publish": "Publish", "unpublish": "Unpublish", "schedule": "Schedule publication"}


def _confirm(
    request: HttpRequest, story: Story, action: str, *, refusals: list[Refusal], **extra: Any
) -> HttpResponse:
    reasons = [r.reason for r in refusals]
    return TemplateResponse(
        request,
        "curation/publication/confirm.html",
        {
            "story": story,
            "action": action,
            "title": TITLES[action],
            "reasons": reasons,
            "scheduled_for": _when(story),
            "next": get_valid_next_url_from_request(request) or _listing_url(),
            **extra,
        },
    )


urlpatterns = [
    path("<int:story_id>/publish/", publish, name="publish"),
    path("<int:story_id>/unpublish/", unpublish, name="unpublish"),
    path("<int:story_id>/schedule/", schedule, name="schedule"),
]


@hooks.register("register_admin_urls")
def publication_admin_urls() -> list[Any]:
    return [path("publication/", include((urlpatterns, "publication_admin")))]


# (label, url name, icon) of each publication action.
PUBLISH = ("Publish", "publication_admin:publish", "upload")
UNPUBLISH = ("Unpublish", "publication_admin:unpublish", "cross")
SCHEDULE = ("Schedule publication", "publication_admin:schedule", "date")


def _actions_for(story: Story) -> list[tuple[str, str, str]]:
    """The publication actions that apply to `story` now."""
    if story.status == S.PUBLISHED:
        return [UNPUBLISH]
    if story.status == S.WITHDRAWN:
        return []
    return [PUBLISH, SCHEDULE]


@hooks.register("register_snippet_listing_buttons")
def story_publication_buttons(snippet: Any, user: User, next_url: str | None = None) -> list[Any]:
    if not isinstance(snippet, Story) or not _is_curator(user):
        return []
    query = "?" + urlencode({"next": next_url}) if next_url else ""
    return [
        Button(label, reverse(name, args=[snippet.pk]) + query, icon_name=icon, priority=40 + i)
        for i, (label, name, icon) in enumerate(_actions_for(snippet))
    ]


class PublicationMenuItem(ActionMenuItem):
    """A link in the story edit view's action menu to one of the confirmation pages."""

    def __init__(self, label: str, url_name: str, icon: str, order: int) -> None:
        super().__init__(order=order)
        self.label, self.url_name, self.icon_name = label, url_name, icon
        self.name = url_name.replace(":", "-")

    def is_shown(self, context: dict[str, Any]) -> bool:
        story = context.get("instance")
        return (
            isinstance(story, Story)
            and _is_curator(context["request"].user)
            and self.url_name in {name for _, name, _ in _actions_for(story)}
        )

    def get_url(self, context: dict[str, Any]) -> str:
        return reverse(self.url_name, args=[context["instance"].pk])


def _menu_item_hook(label: str, url_name: str, icon: str, order: int) -> Callable[..., Any]:
    def menu_item(model: Any) -> PublicationMenuItem | None:
        return PublicationMenuItem(label, url_name, icon, order) if model is Story else None

    return menu_item


for _order, (_label, _name, _icon) in enumerate([PUBLISH, UNPUBLISH, SCHEDULE], start=30):
    hooks.register(
        "register_snippet_action_menu_item", _menu_item_hook(_label, _name, _icon, _order)
    )


# --- Bulk actions in the Stories listing -----------------------------------------------------


class StoryPublicationBulkAction(SnippetBulkAction):
    """Publish or unpublish the chosen stories, each through the service, and report each."""

    models = [Story]
    template_name = "curation/publication/confirm_bulk.html"
    verb = ""

    def get_queryset(self, model: Any, object_ids: list[str]) -> list[Story]:
        # Only the stories this curator may see: an id put in the address names nothing else.
        return list(_visible(self.request).filter(pk__in=object_ids))

    def check_perm(self, obj: Story) -> bool:
        return _is_curator(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["verb"] = self.verb
        return context

    def act(self, story: Story, actor: User) -> None:
        raise NotImplementedError

    @classmethod
    def execute_action(cls, objects: list[Story], **kwargs: Any) -> tuple[int, int]:
        action: StoryPublicationBulkAction = kwargs["self"]
        request = action.request
        actor = _curator(request)
        done, refused = [], []
        for story in objects:
            try:
                action.act(story, actor)
            except PublicationRefused as why:
                refused.append(f"“{story.title}”: {why}")
            else:
                done.append(f"“{story.title}”")
        if done:
            messages.success(request, f"{action.verb.capitalize()}: {', '.join(done)}.")
        for line in refused:
            messages.error(request, f"Not {action.verb}: {line}")
        return len(done), 0

    def get_success_message(self, num_parent_objects: int, num_child_objects: int) -> None:
        return None  # execute_action reported each story


class PublishBulkAction(StoryPublicationBulkAction):
    display_name = "Publish"
    action_type = "publish"
    aria_label = "Publish the selected stories"
    action_priority = 20
    verb = "published"

    def act(self, story: Story, actor: User) -> None:
        story_publish(story=story, actor=actor)


class UnpublishBulkAction(StoryPublicationBulkAction):
    display_name = "Unpublish"
    action_type = "unpublish"
    aria_label = "Unpublish the selected stories"
    action_priority = 21
    verb = "unpublished"

    def act(self, story: Story, actor: User) -> None:
        story_unpublish(story=story, actor=actor)


hooks.register("register_bulk_action", PublishBulkAction)
hooks.register("register_bulk_action", UnpublishBulkAction)
