"""The site's own address (settings.ARCHIVE_BASE_URL), for links that leave a request behind.

Emails, feeds, sitemaps and the Wagtail Site all build absolute links from this one setting,
never from the Host header of whichever request happens to send them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str) -> str:
    """An absolute link to `path` (which starts with "/") on the archive's own address."""
    return settings.ARCHIVE_BASE_URL.rstrip("/") + path


def site_path(url: str) -> str:
    """The path (with query and fragment) of a URL that may or may not be absolute."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.fragment:
        path += "#" + parts.fragment
    return path


def site_absolute(url: str) -> str:
    """`url` moved onto the archive's own address, whatever host it was built with."""
    return site_url(site_path(url))


def site_scheme() -> str:
    return urlsplit(settings.ARCHIVE_BASE_URL).scheme


def site_domain() -> str:
    """Host, port if any, and path prefix if any: what goes between "scheme://" and a path."""
    parts = urlsplit(settings.ARCHIVE_BASE_URL)
    return parts.netloc + parts.path.rstrip("/")


def site_host_port() -> tuple[str, int]:
    """The hostname and port a Wagtail Site needs to build the same address."""
    parts = urlsplit(settings.ARCHIVE_BASE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "localhost", port
