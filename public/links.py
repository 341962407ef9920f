"""The one place that builds the public URLs of stories, projects, values and themes.

They are routes of the archive's index page (`ArchiveIndexPage`, a RoutablePageMixin page under
the home page), so they follow wherever a curator moves or renames that page. The page is
looked up once per request (or once per `ArchiveLinks` object). Media and captions go through
the protected `stories:media` and `transcribe:download` views, which apply the visibility rule
again.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from stories.addresses import site_absolute
from stories.models import Project, Story, Theme, Value

_CACHE_ATTR = "_archive_links"


class ArchiveLinks:
    """URLs under the archive index page, for one request (or none: sitemaps, commands)."""

    def __init__(self, request: HttpRequest | None = None, page=None) -> None:
        self.request = request
        self._routes: dict[tuple, str] = {}
        if page is not None:
            self.__dict__["index"] = page

    @cached_property
    def index(self) -> Any:
        # By name from the app registry: the page model builds its links with this module.
        page = apps.get_model("public", "ArchiveIndexPage").objects.live().first()
        if page is None:
            raise ImproperlyConfigured(
                "The site has no live archive index page, so story, value, theme and project "
                "pages have no address. Run `manage.py migrate` (it creates one), or add an "
                "'Archive index page' under the home page in the Wagtail admin and publish it."
            )
        return page

    @cached_property
    def base(self) -> str:
        return self.index.get_url(self.request)

    def route(self, name: str, *, full: bool = False, **kwargs) -> str:
        """A route's URL; `full`: absolute, on the archive's own address (ARCHIVE_BASE_URL)."""
        # Kept for this object's life (one request): a transcript links each of its lines to
        # the same story page, and reversing a route is the dear part.
        key = (name, full, *sorted(kwargs.items()))
        url = self._routes.get(key)
        if url is None:
            url = self.base + self.index.reverse_subpage(name, kwargs=kwargs)
            url = self._routes[key] = site_absolute(url) if full else url
        return url

    def story(
        self, story: Story, *, at: float | None = None, full: bool = False, query: str = ""
    ) -> str:
        """A story's page; with `at`, the page opens its player at that second (`?t=`); with
        `query`, it finds those words in the story and marks them (`?q=`)."""
        url = self.route("story", full=full, pk=story.pk, slug=story.slug or "story")
        params = {"t": f"{max(0.0, float(at)):g}"} if at is not None else {}
        if query:
            params["q"] = query
        if params:
            url += "?" + urlencode(params) + ("#player" if at is not None else "#find")
        return url

    def story_part(self, story: Story, name: str, *, full: bool = False) -> str:
        """One of the story's own addresses: cite.bib, cite.json, embed."""
        return self.route(name, full=full, pk=story.pk, slug=story.slug or "story")

    def value(self, value: Value, *, full: bool = False) -> str:
        return self.route("value", full=full, slug=value.slug)

    def theme(self, theme: Theme, *, full: bool = False) -> str:
        """A theme's page; a merged theme's address redirects to the theme that absorbed it."""
        return self.route("theme", full=full, slug=theme.slug)

    def project(self, project: Project, *, full: bool = False) -> str:
        return self.route("project", full=full, slug=project.slug)


def for_request(request: HttpRequest | None) -> ArchiveLinks:
    if request is None:
        return ArchiveLinks()
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, ArchiveLinks(request))
    return getattr(request, _CACHE_ATTR)


def remember_archive_index(request: HttpRequest, page) -> None:
    """Called by the index page as it serves, so its routes need no lookup."""
    setattr(request, _CACHE_ATTR, ArchiveLinks(request, page))


def archive_index(request: HttpRequest | None = None):
    return for_request(request).index


def story_url(
    story: Story,
    request: HttpRequest | None = None,
    *,
    at: float | None = None,
    full: bool = False,
    query: str = "",
) -> str:
    return for_request(request).story(story, at=at, full=full, query=query)


def value_url(value: Value, request: HttpRequest | None = None, *, full: bool = False) -> str:
    return for_request(request).value(value, full=full)


def theme_url(theme: Theme, request: HttpRequest | None = None, *, full: bool = False) -> str:
    return for_request(request).theme(theme, full=full)


def project_url(project: Project, request: HttpRequest | None = None, *, full: bool = False) -> str:
    return for_request(request).project(project, full=full)


def oembed_url(story: Story, request: HttpRequest | None = None) -> str:
    """The oEmbed answer for a public story's page (`public.embed`)."""
    page = for_request(request).story(story, full=True)
    return site_absolute(reverse("oembed")) + "?" + urlencode({"url": page, "format": "json"})


def transcript_download_url(story: Story, fmt: str) -> str:
    return reverse("transcribe:download", args=[story.pk, fmt])


def story_media_url(story: Story) -> str:
    """The story's audio or video, streamed by the protected media view."""
    return reverse("stories:media", args=[story.pk, "media"])


def story_photo_url(story: Story) -> str:
    """The story's photo (EXIF removed at upload), streamed by the protected media view."""
    return reverse("stories:media", args=[story.pk, "photo"])


def story_captions_url(story: Story) -> str:
    """WebVTT captions from the story's transcript (the transcript download, same rule)."""
    return reverse("transcribe:download", args=[story.pk, "vtt"])
