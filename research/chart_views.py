"""The research charts' pages: the charts, their CSVs, the excerpts behind a cell, one story's
coders side by side.

For the people who research and code (contributors, researchers, curators), signed in; every
number counts only the stories the viewer may see (`research.charts`), and the excerpts page
shows words only where the storyteller agreed to quotes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from coding import units
from coding.models import Tag
from coding.permissions import can_export
from coding.reads import tag_range_label
from research import chart_data, chart_specs, charts
from research.charts import ChartFilters
from research.excerpt_views import export_links
from research.links import story_urls
from stories.models import CollectionPage, Project, Story, display_name
from stories.visibility import (
    CONTRIBUTOR,
    CURATOR,
    RESEARCHER,
    Audience,
    audience_for,
    story_parts,
)

ROLES = (CONTRIBUTOR, RESEARCHER, CURATOR)
EXCERPTS_PER_PAGE = 50
View = Callable[..., HttpResponse]


def researchers_only(view: View) -> View:
    """Signed in (else to the sign-in page) with a role that researches or codes (else 403)."""

    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        audience = audience_for(request.user)
        if not any(audience.has(role) for role in ROLES):
            raise PermissionDenied("The research charts are for researchers, coders and curators.")
        return view(request, audience, *args, **kwargs)

    return guarded


def _excerpts_link(filters: ChartFilters) -> chart_data.Link:
    base = reverse("charts:excerpts")
    kept = filters.as_params()

    def link(a: str, b: str | None = None) -> str:
        return f"{base}?{urlencode([('a', a), *([('b', b)] if b else []), *kept])}"

    return link


@researchers_only
def charts_page(request: HttpRequest, audience: Audience) -> HttpResponse:
    story = request.GET.get("story", "").strip()
    if story.isdigit():  # the "Coders side by side" form
        return redirect("charts:coders", story_id=int(story))
    filters = ChartFilters.from_mapping(request.GET)
    chosen = request.GET.getlist("code")
    found = chart_data.research_charts(audience, filters, _excerpts_link(filters), chosen=chosen)
    query = urlencode([*filters.as_params(), *(("code", c) for c in chosen)])
    languages, years = charts.languages_and_years(audience, ChartFilters())
    return render(
        request,
        "research/charts.html",
        {
            "charts": [
                (c, f"{reverse('charts:csv', args=[c.slug])}?{query}") for c in found.values()
            ],
            "filters": filters,
            "chosen": chosen,
            "codes": charts.values() + charts.themes(),
            "projects": Project.objects.order_by("name").values_list("slug", "name"),
            "collections": CollectionPage.objects.live()
            .order_by("title")
            .values_list("pk", "title"),
            "languages": languages,
            "years": years,
        },
    )


@researchers_only
def chart_csv(request: HttpRequest, audience: Audience, slug: str) -> HttpResponse:
    if slug not in chart_data.CHARTS:
        raise Http404("No such chart.")
    filters = ChartFilters.from_mapping(request.GET)
    chart = chart_data.research_charts(
        audience,
        filters,
        _excerpts_link(filters),
        chosen=request.GET.getlist("code"),
        only=slug,
    )[slug]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(chart.columns)
    writer.writerows(chart.rows)
    return response


def _code_name(key: str) -> str:
    value_ids, theme_ids = charts.split_keys([key])
    codes = charts.values() if value_ids else charts.themes() if theme_ids else []
    for code in codes:
        if code.key == key:
            return code.name
    raise Http404("No such value or theme.")


@researchers_only
def excerpts_page(request: HttpRequest, audience: Audience) -> HttpResponse:
    """The excerpts behind a bar (code `a`) or a cell (codes `a` and `b` overlapping)."""
    filters = ChartFilters.from_mapping(request.GET)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    a_name = _code_name(a)
    b_name = _code_name(b) if b else ""
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    offset = (page - 1) * EXCERPTS_PER_PAGE
    if b:
        pairs, total = charts.cooccurring_tag_ids(
            audience, filters, a, b, limit=EXCERPTS_PER_PAGE, offset=offset
        )
    else:
        pairs, total = charts.tag_ids(audience, filters, a, limit=EXCERPTS_PER_PAGE, offset=offset)
    tags = {
        t.pk: t
        for t in Tag.objects.filter(pk__in={i for pair in pairs for i in pair if i}).select_related(
            "value",
            "theme",
            "story__consent",
            "story__project",
            "story__storyteller__storyteller_profile",
        )
    }
    parts = {t.story_id: story_parts(audience, t.story) for t in tags.values()}
    quotable = [t for t in tags.values() if parts[t.story_id].quotes]
    words = units.quotes(quotable)
    story_url = story_urls(request)
    items = []
    for first, second in pairs:
        tag = tags[first]
        other = tags.get(second) if second else None
        allowed = parts[tag.story_id].quotes
        items.append(
            {
                "story": tag.story,
                "attribution": parts[tag.story_id].attribution,
                "url": story_url(tag.story, at=tag.start_seconds),
                "coders": reverse("charts:coders", args=[tag.story_id]),
                "ranges": [
                    (t.code.name, tag_range_label(t), words.get(t.pk, "") if allowed else "")
                    for t in (tag, other)
                    if t is not None
                ],
                "quotes": allowed,
            }
        )
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    return render(
        request,
        "research/excerpts.html",
        {
            "a_name": a_name,
            "b_name": b_name,
            "items": items,
            "total": total,
            "page": page,
            "previous_url": f"?{urlencode([*params, ('page', page - 1)])}" if page > 1 else "",
            "next_url": f"?{urlencode([*params, ('page', page + 1)])}"
            if offset + len(pairs) < total
            else "",
            "charts_url": f"{reverse('charts:index')}?{urlencode(filters.as_params())}",
            "exports": export_links(reverse("charts:excerpts_export"), params)
            if total and can_export(audience)
            else [],
        },
    )


@researchers_only
def coders_page(request: HttpRequest, audience: Audience, story_id: int) -> HttpResponse:
    """One strip per coder along the story: where each coder put which code."""
    story = get_object_or_404(
        Story.objects.visible_to(audience).select_related(
            "consent", "storyteller__storyteller_profile"
        ),
        pk=story_id,
    )
    parts = story_parts(audience, story)
    tags = charts.coder_tags(story)
    timed = story.kind != "text"
    rows, points = [], []
    for tag in tags:
        if tag.created_by_id == story.storyteller_id:
            coder = f"{parts.attribution} (the storyteller)"
        else:
            coder = display_name(tag.created_by)
        start = tag.start_seconds if timed else tag.char_start
        end = tag.end_seconds if timed else tag.char_end
        if start is None:
            continue
        end = start if end is None else end
        rows.append([coder, tag.code.name, start, end])
        points.append(
            {
                "coder": coder,
                "code": tag.code.name,
                "start": start,
                "end": end,
                "label": f"{coder}: {tag.code.name}, {tag_range_label(tag)}",
            }
        )
    unit = "Seconds into the recording" if timed else "Characters into the text"
    description = (
        f"Coders of “{story.title}”: one strip per coder along the "
        f"{'recording' if timed else 'text'}, a bar for each excerpt they tagged, coloured "
        "by its value or theme."
    )
    chart = chart_data.Chart(
        slug="coders",
        title="Coders side by side",
        description=description,
        columns=["Coder", "Code", "From", "To"],
        rows=rows,
        links=[""] * len(rows),
        spec=chart_specs.coder_strips(points, description=description, unit=unit),
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="story-{story.pk}-coders.csv"'
        writer = csv.writer(response)
        writer.writerow(chart.columns)
        writer.writerows(chart.rows)
        return response
    return render(
        request,
        "research/coders.html",
        {
            "story": story,
            "chart": chart,
            "csv_url": "?format=csv",
            "story_url": story_urls(request)(story),
        },
    )
