"""The search pages: researchers (signed in, their audience) and the public (public stories).

Plain GET forms: everything works without JavaScript; search.js adds suggestions as you type.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from coding.permissions import is_coder
from search.api import search_stories
from search.backends import Unavailable
from search.corrections import THIN, did_you_mean, related_themes
from search.embeddings import enabled as meaning_enabled
from search.types import MATCHES, SORTS, SearchFilters
from stories.visibility import PUBLIC_AUDIENCE, Audience, audience_for

FACET_LABELS = {
    "theme": "Theme",
    "value": "Value",
    "value_group": "Value group",
    "project": "Project",
    "collection": "Collection",
    "kind": "Kind of story",
    "language": "Language",
    "year": "Year told",
}
SORT_LABELS = {"relevance": "Best match", "newest": "Newest first", "oldest": "Oldest first"}
MATCH_LABELS = {
    "both": "Words and meaning",
    "words": "These words only",
    "meaning": "Meaning only (other words, other languages)",
}
PER_PAGE = 20


def public_search(request: HttpRequest) -> HttpResponse:
    """Everyone, signed in or not, searches the public stories here."""
    return _search_page(request, PUBLIC_AUDIENCE, scope="public")


@login_required
def research_search(request: HttpRequest) -> HttpResponse:
    """The stories the signed-in person may see (researchers: approved stories with consent)."""
    return _search_page(request, audience_for(request.user), scope="mine")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _search_page(request: HttpRequest, audience: Audience, *, scope: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    match = request.GET.get("match", "both")
    match = match if match in MATCHES else "both"
    filters = SearchFilters.from_mapping(request.GET)
    context: dict[str, Any] = {
        "scope": scope,
        "query": query,
        "sort": sort,
        "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
        "match": match,
        "matches": [(key, MATCH_LABELS[key]) for key in MATCHES] if meaning_enabled() else [],
        "results": None,
        "facets": [],
        "error": "",
        "suggest_url": reverse("api:suggest"),
        "action": reverse("search:public" if scope == "public" else "search:research"),
        "heading": "Search the stories" if scope == "public" else "Search the archive",
        # Coded excerpts (memos, coders) are for the people who code: their tab is theirs too.
        "excerpts_tab": scope == "mine" and is_coder(audience),
    }
    status = 200
    try:
        results = search_stories(
            audience=audience,
            query=query,
            filters=filters,
            sort=sort,
            page=_page_number(request.GET.get("page")),
            per_page=PER_PAGE,
            match=match,
        )
    except Unavailable:
        status = 503
        context["error"] = (
            "Search is not working right now: the search service did not answer. "
            "Please try again in a few minutes; if it keeps happening, tell the archive team."
        )
    else:
        context["results"] = results
        context["facets"] = [
            (name, FACET_LABELS[name], values) for name, values in results.facets.items() if values
        ]
        if query and results.total < THIN and results.page == 1:
            context.update(_other_ways_in(request, audience, query, filters))
        context["first_number"] = (results.page - 1) * results.per_page + 1
        context["previous_url"] = _page_url(request, results.page - 1)
        context["next_url"] = _page_url(request, results.page + 1)
    template = "search/public.html" if scope == "public" else "search/research.html"
    return render(request, template, context, status=status)


def _other_ways_in(
    request: HttpRequest, audience: Audience, query: str, filters: SearchFilters
) -> dict[str, Any]:
    """Did-you-mean spellings and related themes, for a search that found little."""
    try:
        corrections = did_you_mean(audience=audience, query=query, filters=filters)
        themes = related_themes(audience=audience, query=query)
    except Unavailable:
        return {}  # the results already shown stand; the extras can wait
    return {
        "corrections": [(c, _query_url(request, c.query)) for c in corrections],
        "related_themes": themes,
    }


def _query_url(request: HttpRequest, query: str) -> str:
    """This search with another query, its filters and order kept."""
    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in ("q", "page")]
    return "?" + urlencode([("q", query), *params])


def _page_url(request: HttpRequest, page: int) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    params.append(("page", str(page)))
    return "?" + urlencode(params)
