"""Where the API's results point: the story's public page, opened at the moment that matched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse

from public.links import for_request

StoryUrl = Callable[..., str]


def story_urls(request: HttpRequest | None = None) -> StoryUrl:
    """A function `(story, at=None, query="") -> url` for one request (it looks the site up once).

    Story pages are routes of the public site (`?t=<seconds>` plays from a moment). Where the
    site has no story pages (no archive index page), the story's JSON in the API stands in.
    """
    links = for_request(request)
    try:
        _ = links.base  # raises ImproperlyConfigured without an archive index page
    except ImproperlyConfigured:
        return _api_url
    # With the query, the story page marks the words found at that moment (`?q=`).
    return lambda story, at=None, query="": links.story(story, at=at, query=query)


def _api_url(story: Any, at: float | None = None, query: str = "") -> str:
    url = reverse("api:story_detail", kwargs={"story_id": story.pk})
    return url if at is None else f"{url}?t={max(0.0, float(at)):g}"
