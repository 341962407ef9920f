"""Cache headers for the archive's pages (Wagtail pages here and in the public site).

Public pages are the same for everyone who is not signed in, so shared caches may keep them
briefly (ARCHIVE_PUBLIC_CACHE_SECONDS). The time is short because a storyteller's withdrawal
must take their story off the site quickly, caches included. Pages seen by a signed-in person
carry their name in the header, so those stay private. Either way the response varies on the
cookie, so a cache never hands one person's page to another.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def cache_public_response(
    request: HttpRequest, response: HttpResponse, *, restricted: bool = False
) -> HttpResponse:
    """`restricted`: the page is behind a login, group or password, so never shared."""
    if response.has_header("Cache-Control"):
        return response
    user = getattr(request, "user", None)
    if restricted or (user is not None and user.is_authenticated):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.ARCHIVE_PUBLIC_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


class PublicCacheMixin:
    """For Wagtail pages: sets the public cache headers on whatever `serve` answers."""

    def get_view_restrictions(self) -> Any:
        # The same queryset each time for this page object (one request's): Wagtail reads it
        # before serving and `serve` below asks again, so its rows are read once.
        if not hasattr(self, "_view_restrictions"):
            self._view_restrictions = super().get_view_restrictions()  # type: ignore[misc]
        return self._view_restrictions

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        restricted = self.get_view_restrictions().exists()
        return cache_public_response(request, response, restricted=restricted)
