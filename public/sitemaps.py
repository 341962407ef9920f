"""Sitemaps: Wagtail's pages, and every story, value, theme and project the public may see."""

from __future__ import annotations

import datetime

from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from public import links, reads
from stories.addresses import site_domain, site_scheme
from stories.models import Project, Story, StoryQuerySet


class _ArchiveRoutes(Sitemap):
    """Locations are routes of the archive index page, on the archive's own address
    (ARCHIVE_BASE_URL), not the Host header of the request."""

    def __init__(self) -> None:
        self.links = links.ArchiveLinks()

    def get_protocol(self, protocol: str | None = None) -> str:
        return site_scheme()

    def get_domain(self, site=None) -> str:
        return site_domain()


class StorySitemap(_ArchiveRoutes):
    limit = 5000
    changefreq = "monthly"

    def items(self) -> StoryQuerySet:
        return reads.public_stories().only("pk", "slug", "updated_at").order_by("pk")

    def location(self, item: Story) -> str:
        return self.links.story(item)

    def lastmod(self, item: Story) -> datetime.datetime:
        return item.updated_at


class TermSitemap(_ArchiveRoutes):
    """Values and themes with at least one public story, and every project."""

    changefreq = "weekly"

    def items(self):
        counts = reads.term_counts()
        values = [
            v
            for v in reads.values_with_counts(counts=counts)
            if v.story_count  # type: ignore[attr-defined]  # set by values_with_counts
        ]
        themes = reads.themes_with_counts(counts=counts)
        return [*values, *themes, *Project.objects.order_by("name")]

    def location(self, item) -> str:
        if isinstance(item, Project):
            return self.links.project(item)
        if hasattr(item, "number"):
            return self.links.value(item)
        return self.links.theme(item)


SITEMAPS = {"pages": WagtailSitemap, "stories": StorySitemap, "terms": TermSitemap}
