"""Response headers the archive sets on every page: content security and cache privacy.

- ``ArchiveCSPMiddleware``: django-csp's middleware with one change. The archive's own pages
  get the strict policy of ``CONTENT_SECURITY_POLICY`` (scripts only from the archive's own
  files, never inline); paths under ``ARCHIVE_CSP_ADMIN_PREFIXES`` (the Wagtail admin, which
  needs inline scripts and styles) get ``ARCHIVE_ADMIN_CONTENT_SECURITY_POLICY`` instead.
- ``PrivateWhenSignedInMiddleware``: a page answered to a signed-in person names them or
  shows what only they may see, so unless the view chose its own ``Cache-Control`` it is
  marked ``private, no-cache`` and varies on the cookie: no shared cache keeps or hands it on.
- ``PublicPageCacheMiddleware``: answers anonymous visitors from the server-side cache of
  public pages (``stories.pagecache``: every page goes stale when anything it could show
  changes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

from stories import pagecache


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


CACHE_HEADER = "X-Archive-Cache"


class PublicPageCacheMiddleware:
    """The server-side cache of public pages, shared by every server process.

    What may be kept is an allow-list: a GET answered 200 to a visitor who is not signed in,
    that the view marked ``Cache-Control: public`` (``stories.pages.cache_public_response``,
    which every public page, feed and sitemap calls; a Wagtail page gets it from
    ``PublicCacheMixin``), with no cookie set (so no CSRF token and no message in it). A request
    carrying a session or messages cookie is never answered from the cache. Copies are filed
    under the current generation (``stories.pagecache.generation``), so a change makes them
    all stale at once. Placed before the session and CSRF middleware, so a copy costs neither.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self._may_answer(request):
            return self.get_response(request)
        cache = pagecache.page_cache()
        key = self._key(request, pagecache.generation())
        kept = cache.get(key)
        if kept is not None:
            status, headers, content = kept
            copy = HttpResponse(content, status=status)
            for name, value in headers:
                copy.headers[name] = value
            copy.headers[CACHE_HEADER] = "hit"
            return copy
        response = self.get_response(request)
        if (
            request.method == "GET"
            and isinstance(response, HttpResponse)  # not streamed, not a file
            and self._may_keep(request, response)
        ):
            cache.set(
                key,
                (response.status_code, list(response.headers.items()), response.content),
                timeout=settings.ARCHIVE_PAGE_CACHE_SECONDS,
            )
            response.headers[CACHE_HEADER] = "miss"
        return response

    @staticmethod
    def _may_answer(request: HttpRequest) -> bool:
        return (
            pagecache.enabled()
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
        )

    @staticmethod
    def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
        user = getattr(request, "user", None)
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and "public" in cache_control
            and "private" not in cache_control
            and "no-store" not in cache_control
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not (user is not None and user.is_authenticated)
        )

    @staticmethod
    def _key(request: HttpRequest, generation: str) -> str:
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()
        return f"public-page:{generation}:{digest}"
