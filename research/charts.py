"""The numbers behind the research charts: one aggregate query per chart.

Every chart counts accepted tags (`coding.Tag`) on the stories the viewer may see, and only
those: each query starts from `Story.objects.visible_to(audience)` (the one visibility rule),
narrowed by the chart's filters (project, collection, language, year told). A story the viewer
may not see adds nothing to any count, so no number (a bar, a cell, a year) can reveal that
such a story exists or what it was coded with. Stories whose storytellers did not agree to
quotes are counted (the viewer may see them) but the excerpts page shows none of their words
(`quotes_q`).

An excerpt is a tag with a time range (recordings) or a character range (written stories);
a tag without a range is on the whole story. Two tags co-occur when they are on the same story
and their ranges overlap (share more than an instant or a boundary character).

The labels (values, themes) are read with one query each; the counts with one, kept between
visits until anything they count changes (`research.chart_cache`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from coding.models import Tag, TagStatus
from research.chart_cache import kept_until_changed
from stories.models import CollectionStory, Story, Theme, Value
from stories.visibility import Audience

EXCERPT = Q(start_seconds__isnull=False) | Q(char_start__isnull=False)


@dataclass(frozen=True)
class ChartFilters:
    """What the charts are narrowed to; empty means all (of what the viewer may see)."""

    projects: tuple[str, ...] = ()  # project slugs
    collections: tuple[int, ...] = ()  # collection page ids
    languages: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ChartFilters:
        """From a query string (`project`, `collection`, `language`, `year`, each repeatable)."""

        def many(name: str) -> list[str]:
            getlist = getattr(data, "getlist", None)
            raw = getlist(name) if getlist else data.get(name, [])
            raw = [raw] if isinstance(raw, str) else raw
            return [v.strip() for v in raw if v and v.strip()]

        return cls(
            projects=tuple(many("project")),
            collections=tuple(int(v) for v in many("collection") if v.isdigit()),
            languages=tuple(many("language")),
            years=tuple(int(v) for v in many("year") if v.isdigit()),
        )

    def as_params(self) -> list[tuple[str, str]]:
        """Back to query-string pairs, for links that keep the filters."""
        return [
            *(("project", p) for p in self.projects),
            *(("collection", str(c)) for c in self.collections),
            *(("language", lang) for lang in self.languages),
            *(("year", str(y)) for y in self.years),
        ]


def chart_stories(audience: Audience, filters: ChartFilters) -> QuerySet[Story]:
    """The stories a chart counts: visible to `audience`, narrowed by `filters`."""
    stories = Story.objects.visible_to(audience)
    if filters.projects:
        stories = stories.filter(project__slug__in=filters.projects)
    if filters.languages:
        stories = stories.filter(language__in=filters.languages)
    if filters.years:
        stories = stories.filter(told_on__year__in=filters.years)
    if filters.collections:
        chosen = CollectionStory.objects.filter(page_id__in=filters.collections)
        stories = stories.filter(pk__in=chosen.values("story_id"))
    return stories


@kept_until_changed
def languages_and_years(audience: Audience, filters: ChartFilters) -> tuple[list[str], list[int]]:
    """The languages and the years told among the stories a chart counts, for its filters."""
    stories = chart_stories(audience, filters)
    languages = list(stories.order_by("language").values_list("language", flat=True).distinct())
    told = stories.filter(told_on__isnull=False).dates("told_on", "year")
    return languages, sorted({d.year for d in told})


def counted_tags(audience: Audience, filters: ChartFilters) -> QuerySet[Tag]:
    """Accepted tags on the stories a chart counts (a subquery, not a list of ids)."""
    return Tag.objects.filter(
        status=TagStatus.ACCEPTED, story__in=chart_stories(audience, filters).values("pk")
    )


# --- codes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    key: str  # "value:<id>" or "theme:<id>"
    name: str
    kind: str  # "value" or "theme"
    group: str  # a value's group ("aims", "conduct"); "" for a theme
    order: int  # a value's number; a theme's place by name


def values() -> list[Code]:
    """The 18 values, in their numbered order (one query)."""
    return [
        Code(f"value:{v.pk}", v.name, "value", v.group, v.number)
        for v in Value.objects.order_by("number").only("pk", "name", "group", "number")
    ]


def themes() -> list[Code]:
    """The themes in use (merged ones have handed their tags on), by name (one query)."""
    rows = Theme.objects.active().order_by("name").only("pk", "name")
    return [Code(f"theme:{t.pk}", t.name, "theme", "", i) for i, t in enumerate(rows)]


def code_key(value_id: int | None, theme_id: int | None) -> str:
    return f"value:{value_id}" if value_id is not None else f"theme:{theme_id}"


def split_keys(keys: Iterable[str]) -> tuple[list[int], list[int]]:
    """Value ids and theme ids named by code keys; others dropped."""
    value_ids, theme_ids = [], []
    for key in keys:
        kind, _, number = key.partition(":")
        if number.isdigit():
            if kind == "value":
                value_ids.append(int(number))
            elif kind == "theme":
                theme_ids.append(int(number))
    return value_ids, theme_ids


# --- frequency --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    stories: int  # stories tagged with the code (whole story or an excerpt)
    excerpts: int  # excerpt tags with the code


@kept_until_changed
def frequencies(audience: Audience, filters: ChartFilters) -> dict[str, Frequency]:
    """Code key -> stories and excerpts tagged with it (one query)."""
    rows = (
        counted_tags(audience, filters)
        .values("value_id", "theme_id")
        .annotate(stories=Count("story_id", distinct=True), excerpts=Count("id", filter=EXCERPT))
        .order_by()
    )
    return {
        code_key(r["value_id"], r["theme_id"]): Frequency(r["stories"], r["excerpts"]) for r in rows
    }


# --- co-occurrence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    excerpts: int  # overlapping pairs of excerpts, one with each code
    stories: int  # stories where they overlap


# Two excerpts overlap: both timed and the times cross, or both ranged in characters and the
# ranges cross. A range without an end is an instant at its start.
OVERLAP = """
    a.story_id = b.story_id AND b.status = %s AND (
      (a.start_seconds IS NOT NULL AND b.start_seconds IS NOT NULL
       AND a.start_seconds < COALESCE(b.end_seconds, b.start_seconds)
       AND b.start_seconds < COALESCE(a.end_seconds, a.start_seconds))
      OR
      (a.char_start IS NOT NULL AND b.char_start IS NOT NULL
       AND a.char_start < COALESCE(b.char_end, b.char_start)
       AND b.char_start < COALESCE(a.char_end, a.char_start)))
"""

# "values": every pair of two different values, once (a's value < b's); "theme_value": every
# theme beside every value.
SIDES = {
    "values": ("value_id", "value_id", "a.value_id < b.value_id"),
    "theme_value": ("theme_id", "value_id", "a.theme_id IS NOT NULL"),
}


def _overlaps_sql(
    audience: Audience, filters: ChartFilters, kind: str
) -> tuple[str, str, str, list[Any]]:
    a_col, b_col, order = SIDES[kind]
    join, params = _pairs_from(audience, filters)
    join += f" AND a.{a_col} IS NOT NULL AND b.{b_col} IS NOT NULL AND {order}"
    return a_col, b_col, join, params


def _pairs_from(audience: Audience, filters: ChartFilters) -> tuple[str, list[Any]]:
    """FROM and WHERE of overlapping accepted tags (a, b) on the stories a chart counts."""
    stories = chart_stories(audience, filters).values("pk").query.sql_with_params()
    table = Tag._meta.db_table
    return (
        f"FROM {table} a JOIN {table} b ON {OVERLAP} "
        f"WHERE a.status = %s AND a.story_id IN ({stories[0]})",
        [TagStatus.ACCEPTED, TagStatus.ACCEPTED, *stories[1]],
    )


@kept_until_changed
def cooccurrence(
    audience: Audience, filters: ChartFilters, kind: str = "values"
) -> dict[tuple[str, str], Pair]:
    """(code key, code key) -> how often the two codes' excerpts overlap (one query).

    kind "values": pairs of different values, both orders given (the matrix is symmetric);
    "theme_value": (theme, value).
    """
    a_col, b_col, join, params = _overlaps_sql(audience, filters, kind)
    sql = (
        f"SELECT a.{a_col}, b.{b_col}, COUNT(*), COUNT(DISTINCT a.story_id) {join} "
        f"GROUP BY a.{a_col}, b.{b_col}"
    )
    a_kind, b_kind = a_col.removesuffix("_id"), b_col.removesuffix("_id")
    found: dict[tuple[str, str], Pair] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for a_id, b_id, excerpts, stories in cursor.fetchall():
            a_key, b_key = f"{a_kind}:{a_id}", f"{b_kind}:{b_id}"
            found[(a_key, b_key)] = Pair(excerpts, stories)
            if kind == "values":
                found[(b_key, a_key)] = Pair(excerpts, stories)
    return found


def _cell_from(audience: Audience, filters: ChartFilters, a: str, b: str) -> tuple[str, list[Any]]:
    """FROM and WHERE of the overlapping pairs behind one cell: code `a` with code `b`."""
    a_values, a_themes = split_keys([a])
    b_values, b_themes = split_keys([b])
    a_col, a_id = ("value_id", a_values[0]) if a_values else ("theme_id", a_themes[0])
    b_col, b_id = ("value_id", b_values[0]) if b_values else ("theme_id", b_themes[0])
    join, params = _pairs_from(audience, filters)
    join += f" AND a.{a_col} = %s AND b.{b_col} = %s AND a.id <> b.id"
    return join, [*params, a_id, b_id]


def cell_tags(audience: Audience, filters: ChartFilters, a: str, b: str) -> QuerySet[Tag]:
    """Every tag on either side of a cell's pairs, as a lazy queryset (a subquery, not a list,
    however many excerpts the cell holds)."""
    join, params = _cell_from(audience, filters, a, b)
    # Column names are the fixed ones of _cell_from; every value travels as a parameter.
    ids = RawSQL(f"SELECT a.id {join} UNION SELECT b.id {join}", [*params, *params])  # noqa: S611
    return Tag.objects.filter(pk__in=ids)


def cooccurring_tag_ids(
    audience: Audience,
    filters: ChartFilters,
    a: str,
    b: str,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[list[tuple[int, int]], int]:
    """The overlapping pairs (tag with code `a`, tag with code `b`), by story and time, one
    page of them, and how many there are in all (two queries)."""
    join, params = _cell_from(audience, filters, a, b)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {join}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT a.id, b.id {join} ORDER BY a.story_id, a.start_seconds, a.char_start, "
            "a.id, b.id LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        pairs = [(int(x), int(y)) for x, y in cursor.fetchall()]
    return pairs, total


def code_tags(audience: Audience, filters: ChartFilters, key: str) -> QuerySet[Tag]:
    """The excerpts behind a bar: tagged with code `key`, on the stories the chart counts."""
    value_ids, theme_ids = split_keys([key])
    tags = counted_tags(audience, filters).filter(EXCERPT)
    tags = tags.filter(value_id__in=value_ids, theme_id__isnull=True) if value_ids else tags
    return tags.filter(theme_id__in=theme_ids) if theme_ids else tags


def tag_ids(
    audience: Audience, filters: ChartFilters, key: str, *, limit: int, offset: int = 0
) -> tuple[list[tuple[int, int]], int]:
    """The excerpts tagged with code `key`, one page of them as (id, 0), by story and time, and
    how many there are in all (two queries)."""
    tags = code_tags(audience, filters, key)
    ids = tags.order_by("story_id", "start_seconds", "char_start", "id").values_list(
        "pk", flat=True
    )
    return [(pk, 0) for pk in ids[offset : offset + limit]], tags.count()


# --- over time --------------------------------------------------------------------------------


@kept_until_changed
def over_time(
    audience: Audience, filters: ChartFilters, keys: Iterable[str] = ()
) -> dict[tuple[str, int], Frequency]:
    """(code key, year told) -> stories and excerpts, for the codes named (all values when
    none are) (one query). Stories with no date told are left out: they have no year."""
    value_ids, theme_ids = split_keys(keys)
    tags = counted_tags(audience, filters).filter(story__told_on__isnull=False)
    if value_ids or theme_ids:
        tags = tags.filter(Q(value_id__in=value_ids) | Q(theme_id__in=theme_ids))
    else:
        tags = tags.filter(value_id__isnull=False)
    rows = (
        tags.annotate(year=ExtractYear("story__told_on"))
        .values("value_id", "theme_id", "year")
        .annotate(stories=Count("story_id", distinct=True), excerpts=Count("id", filter=EXCERPT))
        .order_by()
    )
    return {
        (code_key(r["value_id"], r["theme_id"]), int(r["year"])): Frequency(
            r["stories"], r["excerpts"]
        )
        for r in rows
    }


# --- one story's coders -----------------------------------------------------------------------


def coder_tags(story: Story) -> list[Tag]:
    """The story's accepted excerpt tags with their coders and codes, by coder and time (one
    query); the caller has the story from the visibility rule."""
    return list(
        Tag.objects.filter(story=story, status=TagStatus.ACCEPTED, created_by__isnull=False)
        .filter(EXCERPT)
        .select_related("value", "theme", "created_by__storyteller_profile")
        .order_by("created_by_id", "start_seconds", "char_start", "id")
    )
