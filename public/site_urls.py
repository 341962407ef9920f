"""Feeds and sitemaps of the public site (included before Wagtail's page tree)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.sitemaps.views import SitemapIndexItem  # type: ignore[attr-defined]  # not in the stubs
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from wagtail.contrib.sitemaps import views as sitemap_views

from public import iiif, oai, ohms
from public.embed import oembed
from public.feeds import LatestStoriesAtomFeed, LatestStoriesFeed, PodcastFeed
from public.sitemaps import SITEMAPS
from stories.addresses import site_url
from stories.pages import cache_public_response


def sitemap_index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """The sitemap index, its links on ARCHIVE_BASE_URL whatever Host the request came with."""
    response = sitemap_views.index(request, **kwargs)
    here = f"{request.scheme}://{request.get_host()}"
    response.context_data["sitemaps"] = [
        SitemapIndexItem(site_url(item.location.removeprefix(here)), item.last_mod)
        for item in response.context_data["sitemaps"]
    ]
    return response


def sitemap_cache(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cache_public_response(request, view(request, *args, **kwargs))

    return wrapped


feeds = (
    [
        path("stories.rss", LatestStoriesFeed(), name="rss"),
        path("stories.atom", LatestStoriesAtomFeed(), name="atom"),
        path("podcast.rss", PodcastFeed(), name="podcast"),
        path(
            "collections/<int:page_id>/podcast.rss",
            PodcastFeed(),
            name="collection-podcast",
        ),
    ],
    "archive_feeds",
)

urlpatterns = [
    path("feeds/", include(feeds)),
    path("oembed/", oembed, name="oembed"),
    path("oai/", oai.oai_pmh, name="oai-pmh"),
    path("ohms/stories/<int:pk>.xml", ohms.ohms_export, name="ohms-export"),
    path("iiif/stories/<int:pk>/manifest.json", iiif.story_manifest, name="iiif-manifest"),
    path(
        "iiif/collections/<int:page_id>/collection.json",
        iiif.collection_manifest,
        name="iiif-collection",
    ),
    path(
        "sitemap.xml",
        sitemap_cache(sitemap_index),
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
