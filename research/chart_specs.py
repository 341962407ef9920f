"""Vega-Lite specifications of the research charts, built here as plain dictionaries.

The browser only renders them (vega-embed, SVG renderer); the same rows feed the HTML data
table and the CSV download, so the picture, the table and the file always agree. Each mark that
stands for excerpts carries an `href` to them, so that the chart's cells are links (focusable
with the keyboard) as the table's are.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 560
COUNT_LEGEND = {"title": "Excerpts", "format": "d", "tickMinStep": 1}
WHOLE = {"format": "d", "tickMinStep": 1}  # counts: no ticks between whole numbers


def _base(description: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        # Read out by screen readers as the chart's label (Vega's ARIA support).
        "description": description,
        "data": {"values": rows},
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }


def frequency(rows: list[dict[str, Any]], *, description: str, by_group: bool) -> dict[str, Any]:
    """Bars of stories and excerpts per code; values side by side in their two groups.

    Rows: code, group, stories, excerpts, href.
    """
    spec = _base(description, rows)
    bars: dict[str, Any] = {
        "transform": [
            {
                "calculate": "datum.code + ': ' + datum.stories + ' stories, ' "
                "+ datum.excerpts + ' excerpts'",
                "as": "label",
            },
            {"fold": ["stories", "excerpts"], "as": ["measure", "count"]},
        ],
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {
                "field": "code",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": "count", "type": "quantitative", "title": "Count", "axis": WHOLE},
            "yOffset": {"field": "measure", "sort": ["stories", "excerpts"]},
            "color": {
                "field": "measure",
                "type": "nominal",
                "sort": ["stories", "excerpts"],
                "scale": {"range": ["#1f5f8b", "#c0611a"]},
                "title": None,
            },
            "href": {"field": "href"},
            "description": {"field": "label"},
            "tooltip": [
                {"field": "code", "title": "Code"},
                {"field": "measure", "title": "Counted"},
                {"field": "count", "title": "Count"},
            ],
        },
        "width": WIDTH // 2 - 40 if by_group else WIDTH,
    }
    if by_group:
        groups = list(dict.fromkeys(row["group"] for row in rows))  # aims, then conduct
        spec["facet"] = {
            "column": {"field": "group", "type": "nominal", "title": None, "sort": groups}
        }
        spec["spec"] = bars
        spec["resolve"] = {"scale": {"y": "independent"}}
    else:
        spec.update(bars)
    return spec


def heatmap(
    rows: list[dict[str, Any]], *, description: str, x_title: str, y_title: str
) -> dict[str, Any]:
    """A matrix of co-occurrence: a cell per (row code, column code) that overlaps at least
    once. Rows: row, column, excerpts, stories, href, label; `rows_order`/`columns_order` are
    the codes in order (every code has a line, even an empty one)."""
    spec = _base(description, rows)
    spec.update(
        {
            "width": {"step": 22},
            "height": {"step": 22},
            "mark": {"type": "rect", "cursor": "pointer", "stroke": "#ffffff"},
            "encoding": {
                "x": {
                    "field": "column",
                    "type": "nominal",
                    "title": x_title,
                    "sort": None,
                    "axis": {"labelAngle": -50, "labelLimit": 200},
                },
                "y": {
                    "field": "row",
                    "type": "nominal",
                    "title": y_title,
                    "sort": None,
                    "axis": {"labelLimit": 260},
                },
                "color": {
                    "field": "excerpts",
                    "type": "quantitative",
                    "scale": {"scheme": "blues"},
                    "legend": COUNT_LEGEND,
                },
                "href": {"field": "href"},
                "description": {"field": "label"},
                "tooltip": [
                    {"field": "row", "title": y_title},
                    {"field": "column", "title": x_title},
                    {"field": "excerpts", "title": "Overlapping excerpts"},
                    {"field": "stories", "title": "Stories"},
                ],
            },
        }
    )
    return spec


def with_order(spec: dict[str, Any], *, rows: list[str], columns: list[str]) -> dict[str, Any]:
    """Fix a heatmap's axes to every code in order, cells or not."""
    spec["encoding"]["y"]["scale"] = {"domain": rows}
    spec["encoding"]["x"]["scale"] = {"domain": columns}
    return spec


def over_time(rows: list[dict[str, Any]], *, description: str) -> dict[str, Any]:
    """Lines of excerpts per year told, one per chosen code. Rows: code, year, excerpts,
    stories, label."""
    spec = _base(description, rows)
    spec.update(
        {
            "width": WIDTH,
            "height": 260,
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": "Year told"},
                "y": {
                    "field": "excerpts",
                    "type": "quantitative",
                    "title": "Excerpts",
                    "axis": WHOLE,
                },
                "color": {"field": "code", "type": "nominal", "title": "Code", "sort": None},
                "description": {"field": "label"},
                "tooltip": [
                    {"field": "code", "title": "Code"},
                    {"field": "year", "title": "Year told"},
                    {"field": "excerpts", "title": "Excerpts"},
                    {"field": "stories", "title": "Stories"},
                ],
            },
        }
    )
    return spec


def coder_strips(rows: list[dict[str, Any]], *, description: str, unit: str) -> dict[str, Any]:
    """One strip per coder along the transcript: a bar per excerpt from its start to its end.
    Rows: coder, code, start, end, label."""
    spec = _base(description, rows)
    spec.update(
        {
            "width": WIDTH,
            # each code a thin lane within the coder's strip, so overlapping excerpts both show
            "height": {"step": 10, "for": "offset"},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "coder", "type": "nominal", "title": "Coder", "sort": None},
                "yOffset": {"field": "code", "type": "nominal"},
                "x": {"field": "start", "type": "quantitative", "title": unit},
                "x2": {"field": "end"},
                "color": {"field": "code", "type": "nominal", "title": "Code"},
                "description": {"field": "label"},
                "tooltip": [
                    {"field": "coder", "title": "Coder"},
                    {"field": "code", "title": "Code"},
                    {"field": "start", "title": "From"},
                    {"field": "end", "title": "To"},
                ],
            },
        }
    )
    return spec
