"""The public site's pages: the home page and the archive index that serves story pages.

Stories, projects, values and themes are Django models (edited as snippets), so their public
pages are routes of one `ArchiveIndexPage`; `public.links` builds their URLs. Every story the
pages show comes from `public.reads`, which starts from the one visibility rule.
"""

from __future__ import annotations

import logging

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from public import links, reads
from public.citation import citation
from public.within import find_in_story
from stories.models import CollectionPage, CoproductionType, Project, Story, Theme, Value
from stories.pages import PublicCacheMixin
from stories.services import theme_resolve
from stories.visibility import PUBLIC_AUDIENCE, Audience, audience_for, story_parts

logger = logging.getLogger(__name__)

STORIES_PER_PAGE = 20
EXCERPTS_PER_PAGE = 12
LATEST_ON_HOME = 3

COPRODUCTION_EXPLAINED: dict[str, str] = {
    CoproductionType.RICH_COAUTHORED: (
        "People with lived experience shared power at every stage, and are authors of what "
        "the project produced."
    ),
    CoproductionType.RICH_NOT_COAUTHORED: (
        "People with lived experience shared power at every stage, though the outputs were "
        "written by the research team."
    ),
    CoproductionType.VISION_NOT_EXECUTION: (
        "The project set out to co-produce, but in practice decisions stayed mostly with the "
        "research team."
    ),
    CoproductionType.OTHER_PPI: (
        "The public took part through other kinds of involvement, such as advisory groups "
        "or consultations."
    ),
}


def _page_of(request: HttpRequest, items, per_page: int):
    """One page of `items` (`?page=`); a page number past the end shows the last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class HomePage(PublicCacheMixin, Page):
    introduction = RichTextField(blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        InlinePanel(
            "featured_collections",
            label="Featured collections",
            help_text="Shown first on the home page; with none, the newest collections are.",
        ),
    ]
    max_count = 1
    subpage_types = ["stories.CollectionPage", "public.ArchiveIndexPage"]

    class Meta:
        db_table = "archive_homepage"

    def get_context(self, request: HttpRequest, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        featured = [
            item.collection
            for item in self.featured_collections.select_related("collection__image")
            .prefetch_related("collection__image__renditions")
            .order_by("sort_order")
        ]
        counts = reads.term_counts()
        context.update(
            collections=reads.featured_or_latest_collections(featured, limit=3),
            value_groups=reads.values_by_group(counts=counts),
            themes=reads.themes_with_counts(counts=counts),
            latest=reads.latest_stories(limit=LATEST_ON_HOME),
        )
        return context


class HomeFeaturedCollection(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_collections")
    collection: models.ForeignKey[CollectionPage, CollectionPage] = models.ForeignKey(
        "stories.CollectionPage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("collection")]

    class Meta(Orderable.Meta):
        db_table = "archive_homefeaturedcollection"


class ArchiveIndexPage(PublicCacheMixin, RoutablePageMixin, Page):
    """The archive itself: every value, theme, project and collection, and the story pages.

    Routes: stories/<id>-<slug>/, values/<slug>/, themes/<slug>/, projects/<slug>/.
    """

    introduction = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        db_table = "archive_archiveindexpage"

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        links.remember_archive_index(request, self)
        return super().serve(request, *args, **kwargs)

    # -------------------------------------------------------------------------- the index

    @path("", name="index")
    def index_view(self, request: HttpRequest) -> HttpResponse:
        stories = _page_of(request, reads.story_cards(reads.public_stories()), STORIES_PER_PAGE)
        counts = reads.term_counts()
        return self.render(
            request,
            context_overrides={
                "value_groups": reads.values_by_group(counts=counts),
                "themes": reads.themes_with_counts(counts=counts),
                "collections": reads.live_collections(),
                "projects": Project.objects.order_by("name"),
                "stories": stories,
            },
        )

    # -------------------------------------------------------------------------- stories

    @path("stories/<int:pk>/", name="story_by_id")
    @path("stories/<int:pk>-<slug:slug>/", name="story")
    def story_view(self, request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
        # The same page serves everyone: the public sees published public stories, a signed-in
        # researcher, contributor or curator also the stories the rule opens to them (such
        # pages are never cached for others: see stories.pages).
        audience = audience_for(request.user)
        story = reads.visible_story(pk, audience)
        if story is None:
            if Story.objects.was_withdrawn(pk):
                return self._gone(request)
            raise Http404("No story you may see has this address.")
        if slug != story.slug:
            return HttpResponsePermanentRedirect(links.story_url(story, request))
        related, related_note = _related_stories(story, audience)
        parts = story_parts(audience, story)
        public = audience.is_public or reads.is_public(story)
        segments = reads.story_segments(story, parts) if parts.transcript else []
        start_at = _seconds(request.GET.get("t"))
        found = None
        if "q" in request.GET:
            heard = getattr(story, "transcript", None)
            language = (heard.language if heard else "") or story.language
            found = find_in_story(segments, request.GET.get("q", ""), language)
        return self.render(
            request,
            template="public/story.html",
            context_overrides={
                "story": story,
                "parts": parts,
                "not_public": not public,
                "oembed_url": links.oembed_url(story, request) if public else "",
                "terms": reads.story_terms(story),
                "segments": segments,
                "chapters": reads.story_chapters(story) if parts.chapters else [],
                "found": found,
                "marked": found.marked if found else {},
                "start_at": start_at,
                "moment_url": links.story_url(story, request, at=start_at or 0, full=True),
                "citation": citation(
                    story, parts, links.story_url(story, request, at=start_at, full=True), start_at
                ),
                "related": related,
                "related_note": related_note,
                "in_collections": reads.collections_containing(story),
            },
        )

    @path("stories/<int:pk>-<slug:slug>/cite/bibtex/", name="cite_bib")
    def cite_bib_view(self, request: HttpRequest, pk: int, slug: str) -> HttpResponse:
        return self._cite(request, pk, "bib")

    @path("stories/<int:pk>-<slug:slug>/cite/csl-json/", name="cite_json")
    def cite_json_view(self, request: HttpRequest, pk: int, slug: str) -> HttpResponse:
        return self._cite(request, pk, "json")

    def _cite(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        """The story's citation as a file (`?t=` cites a moment), for whoever may see it."""
        audience = audience_for(request.user)
        story = reads.visible_story(pk, audience)
        if story is None:
            raise Http404("No story you may see has this address.")
        at = _seconds(request.GET.get("t"))
        url = links.story_url(story, request, at=at, full=True)
        cited = citation(story, story_parts(audience, story), url, at)
        if fmt == "bib":
            response = HttpResponse(cited.bibtex(), content_type="application/x-bibtex")
        else:
            response = HttpResponse(
                cited.csl_json(), content_type="application/vnd.citationstyles.csl+json"
            )
        response["Content-Disposition"] = f'attachment; filename="story-{story.pk}.{fmt}"'
        return response

    @path("stories/<int:pk>-<slug:slug>/embed/", name="embed")
    def embed_view(self, request: HttpRequest, pk: int, slug: str) -> HttpResponse:
        """A minimal player for other sites to frame: public stories only, whoever asks."""
        story = reads.visible_story(pk, PUBLIC_AUDIENCE)
        if story is None or not story.has_media:
            raise Http404("Only public recordings can be embedded.")
        response = self.render(
            request,
            template="public/embed.html",
            context_overrides={
                "story": story,
                "parts": story_parts(PUBLIC_AUDIENCE, story),
                "has_captions": reads.has_transcript(story),
                "start_at": _seconds(request.GET.get("t")),
            },
        )
        # Other sites may frame this page, and only this one (archive/middleware.py).
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": ["*"]}
        return response

    def _gone(self, request: HttpRequest) -> HttpResponse:
        return TemplateResponse(request, "public/gone.html", {"page": self}, status=410)

    # -------------------------------------------------------------------------- taxonomies

    @path("values/<slug:slug>/", name="value")
    def value_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        value = get_object_or_404(Value, slug=slug)
        return self._term(request, value=value)

    @path("themes/<slug:slug>/", name="theme")
    def theme_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        theme = get_object_or_404(Theme, slug=slug)
        if theme.merged_into_id is not None:
            final = theme_resolve(theme=theme)
            return HttpResponsePermanentRedirect(links.theme_url(final, request))
        return self._term(request, theme=theme)

    def _term(
        self, request: HttpRequest, *, value: Value | None = None, theme: Theme | None = None
    ) -> HttpResponse:
        return self.render(
            request,
            template="public/term.html",
            context_overrides={
                "term": value or theme,
                "term_kind": "value" if value else "theme",
                "stories": _page_of(
                    request, reads.stories_tagged(value=value, theme=theme), STORIES_PER_PAGE
                ),
                "excerpts": (
                    reads.excerpts_tagged(value=value, theme=theme)[
                        :EXCERPTS_PER_PAGE
                    ].with_quotes()
                ),
            },
        )

    # -------------------------------------------------------------------------- projects

    @path("projects/<slug:slug>/", name="project")
    def project_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        project = get_object_or_404(Project, slug=slug)
        return self.render(
            request,
            template="public/project.html",
            context_overrides={
                "project": project,
                "coproduction_explained": COPRODUCTION_EXPLAINED.get(project.coproduction_type, ""),
                "credits": reads.project_credits(project),
                "collections": reads.project_collections(project),
                "stories": _page_of(request, reads.project_stories(project), STORIES_PER_PAGE),
            },
        )


def _seconds(raw: str | None) -> float | None:
    try:
        seconds = float(raw) if raw else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None


RELATED_WITHOUT_SEARCH = "Related stories from search are not available right now."


def _related_stories(story: Story, audience: Audience) -> tuple[list[Story], str]:
    """Related stories from search; stories sharing themes and values while search has none.

    (Search knows a story only once the outbox has been drained into its index.) A page never
    fails because search is down: it shows the stories that share themes and values, with a
    quiet note, and one line goes to the log. Returns the stories and that note (or "").
    """
    # Imported here: the search engines' clients load with the first story page, not when
    # the archive starts (public.models is read at every start, `manage.py help` included).
    from search import api as search_api

    try:
        found = search_api.related_stories(
            audience=audience, story=story, limit=3, known_visible=True
        )
    except search_api.Unavailable as exc:
        logger.warning("Story %s: related stories without search; %s", story.pk, exc)
        return reads.related_stories(story, limit=3, audience=audience), RELATED_WITHOUT_SEARCH
    return found or reads.related_stories(story, limit=3, audience=audience), ""


__all__ = ["ArchiveIndexPage", "HomeFeaturedCollection", "HomePage"]
