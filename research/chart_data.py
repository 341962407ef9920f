"""Each research chart as one object: its rows, its data table, its CSV and its Vega-Lite spec.

The counts come from `research.charts` (one aggregate query per chart, through the visibility
rule); this module lays them out three ways from the same rows, so that what the picture shows,
what the table reads out and what the CSV holds are the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from research import chart_specs, charts
from research.charts import ChartFilters, Code
from stories.models import ValueGroup
from stories.visibility import Audience

Link = Callable[..., str]  # (a=key, b=key or None) -> the excerpts page address


@dataclass
class Chart:
    slug: str  # the CSV's name and the page anchor
    title: str
    description: str  # the text alternative: what the chart shows, in a sentence
    columns: list[str]
    rows: list[list[Any]]  # the table's and the CSV's rows
    links: list[str]  # per row: the excerpts behind it ('' for none)
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> list[tuple[list[Any], str]]:
        return list(zip(self.rows, self.links, strict=True))

    @property
    def has_links(self) -> bool:
        return any(self.links)


def _group_label(group: str) -> str:
    return ValueGroup(group).label if group else "Themes"


def frequency(
    codes: list[Code], counts: dict[str, charts.Frequency], link: Link, *, slug: str, title: str
) -> Chart:
    by_group = any(c.group for c in codes)
    rows, links, points = [], [], []
    for code in codes:
        found = counts.get(code.key, charts.Frequency(0, 0))
        if not by_group and not found.stories:
            continue  # a theme nobody used is left out; every value keeps its bar
        href = link(a=code.key) if found.excerpts else ""
        group = _group_label(code.group)
        rows.append(
            [code.name, group, found.stories, found.excerpts]
            if by_group
            else [code.name, found.stories, found.excerpts]
        )
        links.append(href)
        points.append(
            {
                "code": code.name,
                "group": group,
                "stories": found.stories,
                "excerpts": found.excerpts,
                "href": href or None,
            }
        )
    columns = ["Value", "Group", "Stories", "Excerpts"] if by_group else ["Theme"]
    if not by_group:
        columns += ["Stories", "Excerpts"]
    description = (
        f"{title}: a bar chart of how many stories and excerpts are tagged with each "
        f"{'value, in its two groups side by side' if by_group else 'theme'}."
    )
    spec = chart_specs.frequency(points, description=description, by_group=by_group)
    return Chart(slug, title, description, columns, rows, links, spec)


def cooccurrence(
    row_codes: list[Code],
    column_codes: list[Code],
    pairs: dict[tuple[str, str], charts.Pair],
    link: Link,
    *,
    slug: str,
    title: str,
    row_title: str,
    column_title: str,
) -> Chart:
    rows, links, cells = [], [], []
    for a in row_codes:
        for b in column_codes:
            pair = pairs.get((a.key, b.key))
            if pair is None:
                continue
            href = link(a=a.key, b=b.key)
            label = (
                f"{a.name} with {b.name}: {pair.excerpts} overlapping excerpts in "
                f"{pair.stories} {'story' if pair.stories == 1 else 'stories'}"
            )
            if not (row_codes is column_codes and a.order > b.order):
                # A symmetric matrix lists each pair once in the table and the CSV.
                rows.append([a.name, b.name, pair.excerpts, pair.stories])
                links.append(href)
            cells.append(
                {
                    "row": a.name,
                    "column": b.name,
                    "excerpts": pair.excerpts,
                    "stories": pair.stories,
                    "href": href,
                    "label": label,
                }
            )
    description = (
        f"{title}: a heatmap with a cell for each {row_title.lower()} and "
        f"{column_title.lower()} whose excerpts overlap; the darker the cell, the more "
        "overlapping excerpts. Each cell opens the excerpts behind it."
    )
    spec = chart_specs.heatmap(
        cells, description=description, x_title=column_title, y_title=row_title
    )
    used_rows = [c.name for c in row_codes if row_codes is column_codes or _used(c, pairs, 0)]
    spec = chart_specs.with_order(spec, rows=used_rows, columns=[c.name for c in column_codes])
    columns = [row_title, column_title, "Overlapping excerpts", "Stories"]
    return Chart(slug, title, description, columns, rows, links, spec)


def _used(code: Code, pairs: dict[tuple[str, str], charts.Pair], side: int) -> bool:
    return any(key[side] == code.key for key in pairs)


def over_time(
    codes: list[Code], counts: dict[tuple[str, int], charts.Frequency], *, title: str
) -> Chart:
    names = {c.key: c.name for c in codes}
    order = {c.key: i for i, c in enumerate(codes)}
    found = sorted(counts.items(), key=lambda item: (order.get(item[0][0], 0), item[0][1]))
    rows, points = [], []
    for (key, year), count in found:
        if key not in names:
            continue
        rows.append([names[key], year, count.stories, count.excerpts])
        points.append(
            {
                "code": names[key],
                "year": year,
                "stories": count.stories,
                "excerpts": count.excerpts,
                "label": f"{names[key]}, {year}: {count.excerpts} excerpts in "
                f"{count.stories} {'story' if count.stories == 1 else 'stories'}",
            }
        )
    description = (
        f"{title}: a line chart of how many excerpts are tagged with each chosen code, "
        "by the year the stories were told."
    )
    spec = chart_specs.over_time(points, description=description)
    columns = ["Code", "Year told", "Stories", "Excerpts"]
    return Chart("over-time", title, description, columns, rows, [""] * len(rows), spec)


Builder = Callable[[Audience, ChartFilters, Link, list[str], list[Code], list[Code]], Chart]


def _values(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    chosen: list[str],
    values: list[Code],
    themes: list[Code],
) -> Chart:
    counts = charts.frequencies(audience, filters)
    return frequency(values, counts, link, slug="values", title="Values by frequency")


def _themes(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    chosen: list[str],
    values: list[Code],
    themes: list[Code],
) -> Chart:
    counts = charts.frequencies(audience, filters)
    return frequency(themes, counts, link, slug="themes", title="Themes by frequency")


def _values_together(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    chosen: list[str],
    values: list[Code],
    themes: list[Code],
) -> Chart:
    return cooccurrence(
        values,
        values,
        charts.cooccurrence(audience, filters, "values"),
        link,
        slug="values-together",
        title="Values that occur together",
        row_title="Value",
        column_title="Value",
    )


def _themes_and_values(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    chosen: list[str],
    values: list[Code],
    themes: list[Code],
) -> Chart:
    return cooccurrence(
        themes,
        values,
        charts.cooccurrence(audience, filters, "theme_value"),
        link,
        slug="themes-and-values",
        title="Themes and values that occur together",
        row_title="Theme",
        column_title="Value",
    )


def _over_time(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    chosen: list[str],
    values: list[Code],
    themes: list[Code],
) -> Chart:
    codes = [c for c in values + themes if c.key in chosen] or values
    years = charts.over_time(audience, filters, [c.key for c in codes])
    return over_time(codes, years, title="Change over time")


CHARTS: dict[str, Builder] = {
    "values": _values,
    "themes": _themes,
    "values-together": _values_together,
    "themes-and-values": _themes_and_values,
    "over-time": _over_time,
}


def research_charts(
    audience: Audience,
    filters: ChartFilters,
    link: Link,
    *,
    chosen: list[str],
    only: str | None = None,
) -> dict[str, Chart]:
    """The research page's charts (or the one named `only`), by slug: two queries for the
    codes, then one per chart (the two frequency charts share theirs)."""
    values, themes = charts.values(), charts.themes()
    if only is not None:
        return {only: CHARTS[only](audience, filters, link, chosen, values, themes)}
    counts = charts.frequencies(audience, filters)
    found = {
        "values": frequency(values, counts, link, slug="values", title="Values by frequency"),
        "themes": frequency(themes, counts, link, slug="themes", title="Themes by frequency"),
    }
    for slug in ("values-together", "themes-and-values", "over-time"):
        found[slug] = CHARTS[slug](audience, filters, link, chosen, values, themes)
    return found
