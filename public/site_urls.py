"""Feeds and sitemaps of the public site (included before Wagtail's page tree)."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from wagtail.contrib.sitemaps import views as sitemap_views

from public.feeds import LatestStoriesAtomFeed, LatestStoriesFeed
from public.sitemaps import SITEMAPS
from stories.pages import cache_public_response


def sitemap_cache(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cache_public_response(request, view(request, *args, **kwargs))

    return wrapped


feeds = (
    [
        path("stories.rss", LatestStoriesFeed(), name="rss"),
        path("stories.atom", LatestStoriesAtomFeed(), name="atom"),
    ],
    "archive_feeds",
)

urlpatterns = [
    path("feeds/", include(feeds)),
    path(
        "sitemap.xml",
        sitemap_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_cache(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]
