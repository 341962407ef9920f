"""Where a search result points: the story's page, opened at the moment that matched."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


def story_url(story, request=None, *, at: float | None = None) -> str:
    """The story's page (from archive.links), with `?t=<seconds>` to play from a moment.

    Where the site has no story pages yet (no archive index page), the JSON detail in the API.
    """
    try:
        from archive.links import story_url as page_url

        return page_url(story, request, at=at)
    except (ImportError, ImproperlyConfigured):
        url = reverse("api:story_detail", kwargs={"story_id": story.pk})
        return url if at is None else f"{url}?t={max(0.0, float(at)):g}"
