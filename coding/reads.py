"""What the coding screens show: code choices, tags in the margin, agreement, tag counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from coding import agreement, permissions, units
from coding.models import Tag, TagStatus
from stories.chapter_suggestions import Excerpt
from stories.models import Story, Theme, ThemeSynonym, Value, ValueGroup, display_name
from stories.timecode import clock
from stories.types import User
from stories.visibility import Audience, StoryParts

# --- code choices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeChoice:
    key: str  # "value:<id>" or "theme:<id>", what forms post
    name: str
    group: str  # the optgroup label
    synonyms: tuple[str, ...] = ()
    description: str = ""


def code_choices() -> list[CodeChoice]:
    """Every value (by group) and every active theme (nested names), for pickers: two queries."""
    choices = [
        CodeChoice(
            key=f"value:{v.pk}",
            name=v.name,
            group=f"Values: {ValueGroup(v.group).label.lower()}",
            description=v.description,
        )
        for v in Value.objects.order_by("number")
    ]
    themes = list(
        Theme.objects.active()
        .prefetch_related(Prefetch("synonyms", queryset=ThemeSynonym.objects.order_by("name")))
        .order_by("name")
    )
    by_id = {t.pk: t for t in themes}

    def path(theme: Theme) -> str:
        names, seen = [theme.name], {theme.pk}
        while theme.parent_id in by_id and theme.parent_id not in seen:
            theme = by_id[theme.parent_id]
            seen.add(theme.pk)
            names.append(theme.name)
        return " \u203a ".join(reversed(names))

    themed = [
        CodeChoice(
            key=f"theme:{t.pk}",
            name=path(t),
            group="Themes",
            synonyms=tuple(s.name for s in t.synonyms.all()),
            description=t.description,
        )
        for t in themes
    ]
    return choices + sorted(themed, key=lambda c: c.name.casefold())


def codes_from_keys(keys: list[str]) -> list[Value | Theme]:
    """The values and themes that form keys name, in the order given; unknown keys dropped."""
    value_ids = [int(k[6:]) for k in keys if k.startswith("value:") and k[6:].isdigit()]
    theme_ids = [int(k[6:]) for k in keys if k.startswith("theme:") and k[6:].isdigit()]
    found = {f"value:{v.pk}": v for v in Value.objects.filter(pk__in=value_ids)}
    found |= {f"theme:{t.pk}": t for t in Theme.objects.filter(pk__in=theme_ids)}
    return [found[k] for k in dict.fromkeys(keys) if k in found]


def code_key(tag: Tag) -> str:
    return f"value:{tag.value_id}" if tag.value_id else f"theme:{tag.theme_id}"


# --- the coding screen ------------------------------------------------------------------------


def story_tags(story: Story, audience: Audience, *, coder: bool) -> QuerySet[Tag]:
    """Tags to show on `story`: coders see all; the storyteller sees accepted tags and their own."""
    tags = Tag.objects.filter(story=story).select_related(
        "value",
        "theme",
        "created_by__storyteller_profile",
        "reviewed_by__storyteller_profile",
    )
    if not coder:
        tags = tags.filter(Q(status=TagStatus.ACCEPTED) | Q(created_by_id=audience.user_id))
    return tags.order_by("start_seconds", "char_start", "id")


@dataclass
class MarginRow:
    """A row of the coding screen: a unit (or a paragraph of units) and the tags starting there."""

    units: list[units.Unit]
    tags: list[Tag] = field(default_factory=list)
    coded: bool = False
    lines: list = field(default_factory=list)  # coding.bands.Line per unit, set by the view


def margin_rows(story: Story, story_units: list[units.Unit], tags: list[Tag]) -> list[MarginRow]:
    """Rows for the transcript with each excerpt tag in the margin beside where it starts.

    Media stories get one row per segment; text stories one row per paragraph.
    """
    rows: dict[int, MarginRow] = {}
    row_of_unit: dict[int, int] = {}
    for unit in story_units:
        row = rows.setdefault(unit.paragraph, MarginRow(units=[]))
        row.units.append(unit)
        row_of_unit[unit.index] = unit.paragraph
    for tag in tags:
        touched = units.covered(story_units, tag)
        if not touched:
            continue
        rows[row_of_unit[touched[0]]].tags.append(tag)
        if tag.status == TagStatus.ACCEPTED:
            for index in touched:
                rows[row_of_unit[index]].coded = True
    return [rows[k] for k in sorted(rows)]


def tag_range_label(tag: Tag) -> str:
    if tag.start_seconds is not None and tag.end_seconds is not None:
        start, end = clock(tag.start_seconds), clock(tag.end_seconds)
        return f"{start}\u2013{end}"
    if tag.char_start is not None:
        return f"characters {tag.char_start + 1}\u2013{tag.char_end}"
    return "Whole story"


def adoptable(tags: list[Tag], user_id: int | None) -> set[int]:
    """Ids of the accepted tags of other coders that `user_id` has no tag like (same code, same
    span) yet: the ones they may adopt."""

    def same(tag: Tag) -> tuple:
        return (code_key(tag), tag.start_seconds, tag.end_seconds, tag.char_start, tag.char_end)

    mine = {same(t) for t in tags if t.created_by_id == user_id and t.status != TagStatus.DECLINED}
    return {
        t.pk
        for t in tags
        if t.status == TagStatus.ACCEPTED and t.created_by_id != user_id and same(t) not in mine
    }


def pending_proposals(audience: Audience) -> QuerySet[Tag]:
    """Proposals waiting on stories this reviewer can code (for the workspace index)."""
    if not any(audience.has(r) for r in permissions.REVIEWER_ROLES):
        return Tag.objects.none()
    return Tag.objects.filter(
        status=TagStatus.PROPOSED,
        story__in=permissions.codable_stories(audience).values("pk"),
    )


# --- agreement --------------------------------------------------------------------------------


@dataclass
class CodeAgreement:
    code: Value | Theme
    kind: str  # "value" or "theme"
    coded_units: list[int]  # per coder: how many units they coded with it
    observed: float | None
    kappa: float | None
    alpha: float | None
    disagreements: list[tuple[units.Unit, list[bool]]]
    kappa_words: str = ""  # kappa in plain words (two coders only)

    @property
    def observed_label(self) -> str:
        return "\u2013" if self.observed is None else f"{self.observed:.0%}"

    @property
    def kappa_label(self) -> str:
        return _coefficient(self.kappa)

    @property
    def alpha_label(self) -> str:
        return _coefficient(self.alpha)


def _coefficient(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.2f}".replace("-", "\u2212")


@dataclass
class StoryAgreement:
    coders: list[User]  # in a stable order
    units: list[units.Unit]
    rows: list[CodeAgreement]

    @property
    def enough_coders(self) -> bool:
        return len(self.coders) >= 2

    coder_names: list[str] = field(default_factory=list)


def story_agreement(story: Story, *, storyteller_name: str | None = None) -> StoryAgreement:
    """Agreement per value and theme over the story's units, between everyone who coded excerpts.

    A coder is anyone with an accepted excerpt tag on the story; for each code, a unit counts as
    coded by them when one of their accepted excerpt tags with that code touches it. Codes no
    coder used on an excerpt are left out (there is nothing to compare). Whole-story tags do not
    take part: they say nothing about which moments speak to a code. `storyteller_name` is how
    the viewer may name the storyteller, should they be among the coders (story_parts).
    """
    story_units = units.story_units(story)
    tags = [
        t
        for t in Tag.objects.filter(story=story, status=TagStatus.ACCEPTED)
        .select_related("value", "theme", "created_by__storyteller_profile")
        .order_by("id")
        if t.is_excerpt and t.created_by_id is not None
    ]
    coders = [u for u in {t.created_by_id: t.created_by for t in tags}.values() if u is not None]
    coders.sort(key=lambda u: display_name(u).casefold())
    position: dict[int | None, int] = {u.pk: i for i, u in enumerate(coders)}

    marks: dict[tuple[str, int | None], list[set[int]]] = {}
    codes: dict[tuple[str, int | None], Value | Theme] = {}
    for tag in tags:
        key = ("value", tag.value_id) if tag.value_id else ("theme", tag.theme_id)
        codes[key] = tag.code
        per_coder = marks.setdefault(key, [set() for _ in coders])
        per_coder[position[tag.created_by_id]].update(units.covered(story_units, tag))

    rows = []
    unit_noun = "segment" if story.has_media else "sentence"
    for key, per_coder in marks.items():
        ratings = [[u.index in chosen for u in story_units] for chosen in per_coder]
        observed = agreement.observed_agreement(ratings)
        kappa = agreement.cohen_kappa(*ratings) if len(coders) == 2 else None
        words = (
            agreement.kappa_in_words(
                observed, agreement.chance_agreement(*ratings), kappa, unit=unit_noun
            )
            if len(coders) == 2
            else ""
        )
        rows.append(
            CodeAgreement(
                code=codes[key],
                kind=key[0],
                coded_units=[len(chosen) for chosen in per_coder],
                observed=observed,
                kappa=kappa,
                kappa_words=words,
                alpha=agreement.krippendorff_alpha(ratings),
                disagreements=[
                    (unit, [row[unit.index] for row in ratings])
                    for unit in story_units
                    if len({row[unit.index] for row in ratings}) > 1
                ],
            )
        )
    rows.sort(
        key=lambda r: (
            r.kind != "value",
            getattr(r.code, "number", 0),
            r.code.name.casefold(),
        )
    )
    names = [
        f"{storyteller_name} (the storyteller)"
        if storyteller_name and c.pk == story.storyteller_id
        else display_name(c)
        for c in coders
    ]
    return StoryAgreement(coders=coders, units=story_units, rows=rows, coder_names=names)


# --- counts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TagCounts:
    values: dict[int, int]  # value id -> accepted tags
    themes: dict[int, int]  # theme id -> accepted tags
    value_stories: dict[int, int]
    theme_stories: dict[int, int]


def tag_counts(audience: Audience) -> TagCounts:
    """Accepted tags (and stories) per value and per theme, in one aggregate query.

    Only the stories `audience` may see are counted (the one visibility rule).
    """
    values: dict[int, int] = defaultdict(int)
    themes: dict[int, int] = defaultdict(int)
    value_stories: dict[int, int] = defaultdict(int)
    theme_stories: dict[int, int] = defaultdict(int)
    rows = (
        Tag.objects.on_visible_stories(audience)
        .filter(status=TagStatus.ACCEPTED)
        .values("value_id", "theme_id")
        .annotate(tags=Count("id"), stories=Count("story", distinct=True))
        .order_by()
    )
    for row in rows:
        if row["value_id"] is not None:
            values[row["value_id"]] += row["tags"]
            value_stories[row["value_id"]] += row["stories"]
        else:
            themes[row["theme_id"]] += row["tags"]
            theme_stories[row["theme_id"]] += row["stories"]
    return TagCounts(dict(values), dict(themes), dict(value_stories), dict(theme_stories))


def decorate(
    tags: list[Tag], story: Story, story_units: list[units.Unit], parts: StoryParts
) -> list[Tag]:
    """Give each tag what the templates show: who (as the consent allows), where, which unit."""
    for tag in tags:
        if tag.created_by_id is not None and tag.created_by_id == story.storyteller_id:
            tag.coder_name = f"{parts.attribution} (the storyteller)"
        else:
            tag.coder_name = display_name(tag.created_by)
        tag.range_label = tag_range_label(tag)
        touched = units.covered(story_units, tag)
        tag.first_unit = touched[0] if touched else None
        tag.reviewer_name = display_name(tag.reviewed_by) if tag.reviewed_by_id else ""
    return tags


# --- chapters ---------------------------------------------------------------------------------


def tagged_excerpts(story: Story) -> list[Excerpt]:
    """The story's accepted timed tags as excerpts, for chapter suggestions (one query)."""
    tags = (
        Tag.objects.filter(story=story, status=TagStatus.ACCEPTED, start_seconds__isnull=False)
        .select_related("value", "theme")
        .order_by("start_seconds", "id")
    )
    return [
        Excerpt(
            start=tag.start_seconds or 0.0,
            end=tag.end_seconds if tag.end_seconds is not None else tag.start_seconds or 0.0,
            label=tag.value.name if tag.value else tag.theme.name if tag.theme else "a tag",
            value_ids=(tag.value_id,) if tag.value_id else (),
            theme_ids=(tag.theme_id,) if tag.theme_id else (),
        )
        for tag in tags
    ]
