"""The archive's JSON API (django-ninja), mounted at /api/; its OpenAPI schema is /api/openapi.json.

Who is asking comes from the session (a signed-in browser) or nobody (the public audience):
every answer goes through the visibility rule, and a story nobody may see answers 404, the
same as one that does not exist.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, NinjaAPI, Query, Schema

from coding.models import Tag
from research.links import story_urls
from search import api as search_api
from search.backends import Unavailable
from search.types import SearchFilters
from stories.models import Story
from stories.services import theme_resolve
from stories.visibility import PUBLIC_AUDIENCE, Audience, audience_for, story_parts

api = NinjaAPI(
    title="Community Story Archive API",
    version="1",
    description=(
        "Search and read the stories you may see. Signed in through the site, you see what your "
        "roles and the storytellers' consent allow; without signing in, what the public may see."
    ),
    urls_namespace="api",
)


def _audience(request: HttpRequest) -> Audience:
    return audience_for(request.user)


@api.exception_handler(Unavailable)
def _unavailable(request: HttpRequest, exc: Unavailable):
    return api.create_response(request, {"detail": str(exc)}, status=503)


class SearchParams(Schema):
    q: str = Field("", description="Words to look for; theme names and synonyms count.")
    sort: Literal["relevance", "newest", "oldest"] = "relevance"
    match: Literal["both", "words", "meaning"] = Field(
        "both",
        description="'both' fuses word matches with passages that mean the same (in other words "
        "or languages); 'words' or 'meaning' uses one. By meaning, results are by closeness.",
    )
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=100)
    value: list[str] = Field([], description="Value slugs.")
    value_group: list[Literal["aims", "conduct"]] = []
    theme: list[str] = Field([], description="Theme slugs.")
    project: list[str] = Field([], description="Project slugs.")
    collection: list[str] = Field([], description="Collection page ids.")
    language: list[str] = []
    year: list[str] = []
    kind: list[Literal["audio", "video", "text"]] = []
    scope: Literal["mine", "public"] = Field(
        "mine", description="'public' searches only what the public may see, even signed in."
    )


class SnippetOut(Schema):
    html: str | None = Field(description="Highlighted words (<mark>); null: quotes not agreed.")
    start: float | None = Field(description="Seconds from the start of the recording.")
    timecode: str
    speaker: str = Field(description="Who speaks at this moment, as consent names them; or ''.")
    url: str = Field(description="The story's player at this moment.")


class HitOut(Schema):
    id: int
    title: str
    summary: str
    kind: str
    language: str
    told_on: datetime.date | None
    attribution: str
    url: str
    score: float
    snippets: list[SnippetOut]


class FacetOut(Schema):
    key: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    query: str
    interpreted: list[str] = Field(description="The words and codes the query was read as.")
    total: int
    page: int
    pages: int
    per_page: int
    sort: str
    hits: list[HitOut]
    facets: dict[str, list[FacetOut]]


class SuggestionOut(Schema):
    kind: str
    label: str


class SegmentOut(Schema):
    start: float
    end: float
    text: str


class CodeOut(Schema):
    slug: str
    name: str


class StoryOut(Schema):
    id: int
    title: str
    summary: str
    kind: str
    language: str
    status: str
    told_on: datetime.date | None
    attribution: str
    url: str
    project: str | None
    values: list[CodeOut]
    themes: list[CodeOut]
    quotes_allowed: bool
    text: str | None = Field(description="A text story's words, where quotes are agreed.")
    segments: list[SegmentOut] | None = Field(description="The transcript, where quotes agreed.")


class StorySummaryOut(Schema):
    id: int
    title: str
    url: str


@api.get("/search", response=SearchOut, summary="Search stories", url_name="search")
def search(request: HttpRequest, params: Query[SearchParams]):
    audience = PUBLIC_AUDIENCE if params.scope == "public" else _audience(request)
    filters = SearchFilters.from_mapping(params.dict())
    results = search_api.search_stories(
        audience=audience,
        query=params.q,
        filters=filters,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        match=params.match,
    )
    story_url = story_urls(request)
    return {
        "query": results.query,
        "interpreted": results.interpreted,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "per_page": results.per_page,
        "sort": results.sort,
        "hits": [
            {
                "id": h.story.pk,
                "title": h.story.title,
                "summary": h.story.summary,
                "kind": h.story.kind,
                "language": h.story.language,
                "told_on": h.story.told_on,
                "attribution": h.attribution,
                "url": story_url(h.story),
                "score": h.score,
                "snippets": [
                    {
                        "html": s.html,
                        "start": s.start,
                        "timecode": s.timecode,
                        "speaker": s.speaker,
                        # The query rides along only where the words may be quoted: the
                        # API shows nothing of an unquotable story's words, echoes included.
                        "url": story_url(
                            h.story, at=s.start, query=results.query if s.html else ""
                        ),
                    }
                    for s in h.snippets
                ],
            }
            for h in results.hits
        ],
        "facets": {
            name: [
                {"key": f.key, "label": f.label, "count": f.count, "selected": f.selected}
                for f in values
            ]
            for name, values in results.facets.items()
        },
    }


@api.get(
    "/suggest", response=list[SuggestionOut], summary="Suggestions as you type", url_name="suggest"
)
def suggest(
    request: HttpRequest,
    prefix: str = Query(..., max_length=200),
    scope: Literal["mine", "public"] = "mine",
):
    audience = PUBLIC_AUDIENCE if scope == "public" else _audience(request)
    return [
        {"kind": s.kind, "label": s.label}
        for s in search_api.suggest(audience=audience, prefix=prefix)
    ]


def _visible_story(request: HttpRequest, story_id: int) -> Story:

    story = (
        Story.objects.visible_to(_audience(request))
        .select_related("consent", "project", "storyteller__storyteller_profile")
        .filter(pk=story_id)
        .first()
    )
    if story is None:
        raise Http404("No story with this number is visible to you.")
    return story


@api.get("/stories/{story_id}", response=StoryOut, summary="One story", url_name="story_detail")
def story_detail(request: HttpRequest, story_id: int):

    story = _visible_story(request, story_id)
    parts = story_parts(_audience(request), story)
    tags = Tag.objects.filter(story=story, status="accepted").select_related("value", "theme")
    values = {t.value.slug: t.value.name for t in tags if t.value_id and t.value is not None}
    themes = {}
    for t in tags:
        if t.theme_id and t.theme is not None:
            theme = theme_resolve(theme=t.theme)
            themes[theme.slug] = theme.name
    segments = None
    if parts.quotes and hasattr(story, "transcript"):
        segments = [
            {"start": s.start, "end": s.end, "text": s.text}
            for s in story.transcript.segments.all()
        ]
    return {
        "id": story.pk,
        "title": story.title,
        "summary": story.summary,
        "kind": story.kind,
        "language": story.language,
        "status": story.status,
        "told_on": story.told_on,
        "attribution": parts.attribution,
        "url": story_urls(request)(story),
        "project": story.project.name if story.project else None,
        "values": [{"slug": k, "name": v} for k, v in values.items()],
        "themes": [{"slug": k, "name": v} for k, v in themes.items()],
        "quotes_allowed": parts.quotes,
        "text": story.text_body if parts.quotes and story.text_body else None,
        "segments": segments,
    }


@api.get(
    "/stories/{story_id}/related",
    response=list[StorySummaryOut],
    summary="Related stories",
    url_name="story_related",
)
def story_related(request: HttpRequest, story_id: int, limit: int = Query(5, ge=1, le=20)):
    story = _visible_story(request, story_id)
    related = search_api.related_stories(
        audience=_audience(request), story=story, limit=limit, known_visible=True
    )
    story_url = story_urls(request)
    return [{"id": s.pk, "title": s.title, "url": story_url(s)} for s in related]
