"""What the views share: finding a story the signed-in person may act on."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from stories.models import Story, StoryQuerySet
from stories.visibility import audience_for


class Gone(Exception):
    """The story was withdrawn: answer 410 with a page that says so."""


def visible_stories(request: HttpRequest) -> StoryQuerySet:
    return Story.objects.visible_to(audience_for(request.user))


def own_story(request: HttpRequest, pk: int) -> Story:
    """The signed-in storyteller's own story (through the visibility rule), else 404/410."""
    story = (
        visible_stories(request)
        .filter(pk=pk, storyteller_id=request.user.pk)
        .select_related("consent", "storyteller__storyteller_profile")
        .first()
    )
    if story is not None:
        return story
    if Story.objects.was_withdrawn(pk):
        raise Gone
    raise Http404("No story of yours has this address.")


def gone(request: HttpRequest) -> HttpResponse:
    return render(request, "storyteller/gone.html", status=410)


def answers_gone(view):
    """Turn Gone raised while fetching a story into the 410 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Gone:
            return gone(request)

    return wrapped
