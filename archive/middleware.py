"""Response headers the archive sets on every page: content security and cache privacy.

- ``ArchiveCSPMiddleware``: django-csp's middleware with one change. The archive's own pages
  get the strict policy of ``CONTENT_SECURITY_POLICY`` (scripts only from the archive's own
  files, never inline); paths under ``ARCHIVE_CSP_ADMIN_PREFIXES`` (the Wagtail admin, which
  needs inline scripts and styles) get ``ARCHIVE_ADMIN_CONTENT_SECURITY_POLICY`` instead.
- ``PrivateWhenSignedInMiddleware``: a page answered to a signed-in person names them or
  shows what only they may see, so unless the view chose its own ``Cache-Control`` it is
  marked ``private, no-cache`` and varies on the cookie: no shared cache keeps or hands it on.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers


class ArchiveCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.ARCHIVE_CSP_ADMIN_PREFIXES))
        ):
            parts.config = settings.ARCHIVE_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


class PrivateWhenSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
        return response
