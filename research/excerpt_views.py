"""Coded excerpts as search results, and the downloads of what a search or a chart cell found.

The excerpts come from the database whichever search backend is configured (`coding.finds`);
the downloads are the coding exports (CSV, REFI-QDA .qdpx) narrowed to exactly the excerpts
found, through the same visibility rule and consent as every export.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from coding import finds, permissions
from coding.exports import ExportFilter, excerpts_csv_stream
from coding.views import download, qdpx_download
from research import charts
from research.charts import ChartFilters
from research.links import story_urls
from stories.visibility import Audience, audience_for

PER_PAGE = 20
FORMATS = ("csv", "qdpx")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _exporter(request: HttpRequest) -> Audience:
    audience = audience_for(request.user)
    if not permissions.can_export(audience):
        raise PermissionDenied(
            "Exports of coded excerpts are open to contributors, researchers and curators, like "
            "the coding pages. Ask a curator if you think you should have access."
        )
    return audience


def export_links(base: str, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, url) of each download of a result set: CSV, QDPX with links, QDPX with media."""
    return [
        ("CSV", f"{base}?{urlencode([*params, ('format', 'csv')])}"),
        ("REFI-QDA project (.qdpx)", f"{base}?{urlencode([*params, ('format', 'qdpx')])}"),
        (
            "REFI-QDA project with the recordings inside, to play offline",
            f"{base}?{urlencode([*params, ('format', 'qdpx'), ('recordings', 'embed')])}",
        ),
    ]


@login_required
def excerpts_search(request: HttpRequest) -> HttpResponse:
    """The research search's "Excerpts" tab: coded excerpts that match the words. For the people
    who code (memos and coders' names are theirs, as on the coding pages and in exports)."""
    audience = audience_for(request.user)
    if not permissions.is_coder(audience):
        raise PermissionDenied(
            "Coded excerpts are for contributors, researchers and curators; search the stories "
            "instead, or ask a curator if you think you should have access."
        )
    query = request.GET.get("q", "").strip()
    page = _page_number(request.GET.get("page"))
    found, total = finds.find_excerpts(
        audience, query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    story_url = story_urls(request)
    params = [("q", query)] if query else []
    return render(
        request,
        "search/excerpts.html",
        {
            "query": query,
            "items": [(f, story_url(f.tag.story, at=f.tag.start_seconds)) for f in found],
            "total": total,
            "page": page,
            "first_number": (page - 1) * PER_PAGE + 1,
            "previous_url": f"?{urlencode([*params, ('page', page - 1)])}" if page > 1 else "",
            "next_url": f"?{urlencode([*params, ('page', page + 1)])}"
            if page * PER_PAGE < total
            else "",
            "stories_url": f"{reverse('search:research')}?{urlencode(params)}",
            "exports": export_links(reverse("search:excerpts_export"), params) if total else [],
        },
    )


def _respond(
    request: HttpRequest, audience: Audience, tag_ids: Any, stem: str, what: str
) -> HttpResponse | StreamingHttpResponse:
    fmt = request.GET.get("format", "csv")
    fmt = fmt if fmt in FORMATS else "csv"
    filters = ExportFilter(tag_ids=tag_ids)
    if fmt == "csv":
        return download(excerpts_csv_stream(audience, filters), "csv", stem)
    embed = request.GET.get("recordings") == "embed"
    return qdpx_download(request, audience, filters, what=what, stem=stem, embed=embed)


@login_required
def excerpts_search_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every excerpt a research search found (not only the page shown), as CSV or QDPX."""
    audience = _exporter(request)
    query = request.GET.get("q", "").strip()
    ids = finds.excerpt_matches(audience, query).values("pk")
    what = f"Coded excerpts found for “{query}”" if query else "Coded excerpts"
    return _respond(request, audience, ids, "found-excerpts", what)


@login_required
def chart_cell_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The excerpts behind a chart's bar or cell, as CSV or QDPX."""
    audience = _exporter(request)
    filters = ChartFilters.from_mapping(request.GET)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    charts_codes = {c.key: c.name for c in charts.values() + charts.themes()}
    if a not in charts_codes or (b and b not in charts_codes):
        return HttpResponse("No such value or theme.", status=404, content_type="text/plain")
    what = f"Excerpts tagged “{charts_codes[a]}”" + (
        f" where “{charts_codes[b]}” overlaps" if b else ""
    )
    tags = (
        charts.cell_tags(audience, filters, a, b) if b else charts.code_tags(audience, filters, a)
    )
    ids = tags.values("pk")
    return _respond(request, audience, ids, "chart-excerpts", what)
