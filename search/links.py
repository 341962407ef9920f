"""Where a search result points: the story's page, opened at the moment that matched."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

StoryUrl = Callable[..., str]


def story_urls(request=None) -> StoryUrl:
    """A function `(story, at=None) -> url` for one request (it looks the site up once).

    Story pages come from archive.links (`?t=<seconds>` plays from a moment). Where the site has
    no story pages (no archive index page), the story's JSON in the API stands in.
    """
    try:
        from archive.links import for_request

        links = for_request(request)
        _ = links.base  # raises ImproperlyConfigured without an archive index page
    except (ImportError, ImproperlyConfigured):
        return _api_url
    return lambda story, at=None: links.story(story, at=at)


def story_url(story, request=None, *, at: float | None = None) -> str:
    return story_urls(request)(story, at=at)


def _api_url(story, at: float | None = None) -> str:
    url = reverse("api:story_detail", kwargs={"story_id": story.pk})
    return url if at is None else f"{url}?t={max(0.0, float(at)):g}"
