"""The codebook panel of the coding screen: the values in their two groups and the themes in
their hierarchy, each with its colour and its number of accepted tags on this story and on every
story the viewer may see (the visibility rule; three queries however large the archive)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from coding.colours import CodeColour, code_colour
from coding.models import Tag, TagStatus
from coding.reads import tag_counts
from stories.models import Theme, Value, ValueGroup
from stories.visibility import Audience


@dataclass
class Entry:
    key: str  # "value:<id>" or "theme:<id>", as the tag form posts
    name: str
    description: str
    colour: CodeColour
    here: int
    overall: int
    children: list[Entry] = field(default_factory=list)
    synonyms: str = ""


@dataclass
class Codebook:
    groups: list[tuple[str, list[Entry]]]  # (group label, values)
    themes: list[Entry]  # top-level themes, each with its children


def _counts(tags: Iterable[Tag]) -> Counter[str]:
    return Counter(
        f"value:{t.value_id}" if t.value_id else f"theme:{t.theme_id}"
        for t in tags
        if t.status == TagStatus.ACCEPTED
    )


def codebook(audience: Audience, story_tags: Iterable[Tag]) -> Codebook:
    """The panel for a story whose tags (already loaded) are `story_tags`."""
    here = _counts(story_tags)
    counts = tag_counts(audience)  # one aggregate query, through the visibility rule
    overall = Counter({f"value:{k}": n for k, n in counts.values.items()})
    overall.update({f"theme:{k}": n for k, n in counts.themes.items()})

    def entry(code: Value | Theme, key: str, synonyms: str = "") -> Entry:
        return Entry(
            key=key,
            name=code.name,
            description=code.description,
            colour=code_colour(code),
            here=here[key],
            overall=overall[key],
            synonyms=synonyms,
        )

    groups = []
    values = list(Value.objects.order_by("number"))
    for group in ValueGroup:
        entries = [entry(v, f"value:{v.pk}") for v in values if v.group == group.value]
        groups.append((group.label, entries))

    themes = list(Theme.objects.active().prefetch_related("synonyms").order_by("name"))
    entries_by_id = {
        t.pk: entry(t, f"theme:{t.pk}", " ".join(s.name for s in t.synonyms.all())) for t in themes
    }
    parents = {t.pk: t.parent_id for t in themes}

    def in_a_loop(theme_id: int) -> bool:
        seen, current = {theme_id}, parents.get(theme_id)
        while current is not None and current in parents:
            if current in seen:
                return True
            seen.add(current)
            current = parents.get(current)
        return False

    top: list[Entry] = []
    for theme in themes:
        parent = entries_by_id.get(theme.parent_id) if theme.parent_id else None
        # A parent that is merged away, or a loop of parents, leaves the theme at the top.
        if parent is None or in_a_loop(theme.pk):
            top.append(entries_by_id[theme.pk])
        else:
            parent.children.append(entries_by_id[theme.pk])
    return Codebook(groups=groups, themes=top)
