"""The one search interface of the archive; pages, the JSON API and the benchmark use it.

    search_stories(audience=…, query=…, filters=…, sort=…, page=…, per_page=…) -> SearchResults
    suggest(audience=…, prefix=…) -> list[Suggestion]
    related_stories(audience=…, story=…, limit=…) -> list[Story]
    index_story(story=…), index_stories(story_ids=…), outbox_drain()

The backend (SEARCH_BACKEND: "database" or "elasticsearch") applies the audience filter inside
its own query, from the one visibility rule. Stories are then loaded through
`Story.objects.visible_to` as every read path is; what of them is shown (attribution, quotes
in snippets) comes from `story_parts`.
"""

from __future__ import annotations

import dataclasses
import logging

from django.conf.locale import LANG_INFO
from django.utils import timezone

from coding.models import Tag
from search import embeddings
from search import text as textmod
from search.backends import Unavailable, get_backend
from search.documents import build_docs
from search.query import FACETS, THEME_TOKEN, VALUE_TOKEN, Taxonomy, meaning_text, parse_query
from search.related import rank_related, related_stored
from search.services import index_stories, index_story, outbox_drain
from search.types import (
    MATCHES,
    SORTS,
    FacetValue,
    Hit,
    SearchFilters,
    SearchResults,
    Snippet,
    Suggestion,
)
from stories.models import (
    CollectionPage,
    Project,
    Segment,
    Speaker,
    Story,
    StoryKind,
    ValueGroup,
)
from stories.visibility import Audience, speaker_name, story_parts

__all__ = [
    "SearchFilters",
    "SearchResults",
    "Unavailable",
    "index_stories",
    "index_story",
    "outbox_drain",
    "related_stories",
    "search_stories",
    "suggest",
]

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 100
MAX_RESULTS = 10_000  # deepest result reachable by paging (Elasticsearch's result window)
NO_MATCH = "-"  # a filter key that matches nothing (an unknown slug narrows, never widens)


def _at(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds), 2)


def _voices_at(moments: dict[int, list[float | None]]) -> dict[tuple[int, float | None], Speaker]:
    """Who speaks at each moment found (the segment that starts there), in one query."""
    starts = {start for found in moments.values() for start in found if start is not None}
    if not starts:
        return {}
    rows = list(
        Segment.objects.filter(
            transcript__story_id__in=list(moments),
            start__in=list(starts),
            speaker__isnull=False,
        ).values_list("transcript__story_id", "start", "speaker_id")
    )
    speakers = Speaker.objects.in_bulk({speaker for _, _, speaker in rows})
    return {(story, _at(start)): speakers[speaker] for story, start, speaker in rows}


def search_stories(
    *,
    audience: Audience,
    query: str = "",
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    match: str = "both",
) -> SearchResults:
    """Stories `audience` may see that match `query` and `filters`, with facet counts.

    `match` (MATCHES): "both" fuses word matches with meaning matches, "words" and "meaning"
    use one of them; a search by meaning is always in order of closeness.
    """
    filters = filters or SearchFilters()
    match = match if match in MATCHES and embeddings.enabled() else "words"
    sort = "relevance" if match == "meaning" else sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, min(int(page), MAX_RESULTS // per_page))
    taxonomy = Taxonomy.load()
    keys, tokens = resolve_filters(filters, taxonomy)
    parsed = parse_query(query[:500], filter_tokens=tokens, taxonomy=taxonomy)
    meant = meaning_text(query[:500])
    if match != "words" and sort == "relevance" and meant:
        # Searched by meaning too, and the two rankings fused (search.fusion).
        parsed = dataclasses.replace(parsed, vector=embeddings.query(meant))
        if match == "meaning":
            parsed = dataclasses.replace(parsed, clauses=())
    raw = get_backend().search(
        audience=audience,
        parsed=parsed,
        filters=keys,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        now=timezone.now(),
    )
    stories = _load(audience, [h.story_id for h in raw.hits])
    voices = _voices_at({h.story_id: [m.start for m in h.moments] for h in raw.hits})
    hits = []
    for raw_hit in raw.hits:
        story = stories.get(raw_hit.story_id)
        if story is None:
            # The index is a drain interval behind a change (say a withdrawal): not shown.
            logger.info(
                "Search index is behind for story %s; the outbox will catch up.", raw_hit.story_id
            )
            continue
        parts = story_parts(audience, story)
        snippets = [
            Snippet(
                html=(m.text or None) if parts.quotes else None,
                start=m.start,
                char_start=m.char_start,
                speaker=speaker_name(voices.get((raw_hit.story_id, _at(m.start))), parts),
            )
            for m in raw_hit.moments
        ]
        hits.append(
            Hit(
                story=story,
                score=raw_hit.score,
                attribution=parts.attribution,
                snippets=snippets,
            )
        )
    return SearchResults(
        query=query,
        total=raw.total,
        page=page,
        per_page=per_page,
        hits=hits,
        facets=label_facets(raw.facets, filters, taxonomy),
        sort=sort,
        interpreted=[c.label for c in parsed.clauses],
    )


def suggest(*, audience: Audience, prefix: str, limit: int = 8) -> list[Suggestion]:
    """Themes, values and titles of stories `audience` may see that start like `prefix`."""
    typed = textmod.words(prefix[:200])
    if not typed or len("".join(typed)) < 2:
        return []
    complete = prefix.rstrip() != prefix or not prefix[-1].isalnum()
    done, last = (typed, "") if complete else (typed[:-1], typed[-1])
    found = _code_suggestions(audience, done, last, max(2, limit // 2))
    seen = {s.label.lower() for s in found}
    titles = get_backend().suggest_titles(
        audience=audience, done=done, prefix=last, limit=limit, now=timezone.now()
    )
    for _story_id, title in titles:
        if title.lower() not in seen:
            seen.add(title.lower())
            found.append(Suggestion(kind="story", label=title))
    return found[:limit]


def related_stories(
    *, audience: Audience, story: Story, limit: int = 5, known_visible: bool = False
) -> list[Story]:
    """Stories `audience` may see that share themes, values or words with `story`, or say
    the same thing in other words (search.related.rank_related).

    Read from the lists kept when stories are drained (search.related); the backend is asked
    here only where no list answers (not drained yet, or too few of it visible). Nothing for a
    story `audience` may not see; `known_visible`: the caller has just read `story` through
    `Story.objects.visible_to(audience)` (a story page, the API), so that is not asked twice.
    """
    if not known_visible and not Story.objects.visible_to(audience).filter(pk=story.pk).exists():
        return []
    stored = related_stored(audience=audience, story_id=story.pk, limit=limit)
    if stored is not None:
        return stored
    docs, _gone = build_docs([story.pk])
    if not docs:
        return []
    ids = rank_related(
        backend=get_backend(), audience=audience, docs=docs, limit=limit, now=timezone.now()
    )[story.pk]
    stories = _load(audience, ids)
    return [stories[i] for i in ids if i in stories]


# --- helpers ---------------------------------------------------------------------------------


def _load(audience: Audience, ids: list[int]) -> dict[int, Story]:

    if not ids:
        return {}
    return {
        s.pk: s
        for s in Story.objects.visible_to(audience)
        .filter(pk__in=ids)
        .select_related("consent", "project", "storyteller__storyteller_profile")
    }


def _code_suggestions(
    audience: Audience, done: list[str], last: str, limit: int
) -> list[Suggestion]:
    """Themes (by name), then values (by number), whose name starts like what was typed and
    that are tagged (accepted) on a story `audience` may see, by the one rule; at most `limit`.

    A theme used only on stories hidden from `audience` (sealed, withdrawn, drafts, not
    public) is never named; a merged theme counts as the theme that absorbed it. The names are
    matched first (the taxonomy is small) and only the few that match are looked for on
    stories, each query stopping at the first visible one: asking which of all themes are on
    visible stories read every tag of the archive on each keystroke.
    """

    def starts_like(label: str) -> bool:
        written = textmod.words(label)
        return written[: len(done)] == done and (
            not last or (len(written) > len(done) and written[len(done)].startswith(last))
        )

    visible_tags = Tag.objects.accepted().on_visible_stories(audience).order_by()
    found: list[Suggestion] = []
    taxonomy = Taxonomy.load()
    final, themes = taxonomy.final, taxonomy.themes
    named = [t for t in themes.values() if final.get(t.pk) == t.pk and starts_like(t.name)]
    for theme in sorted(named, key=lambda t: t.name.lower()):
        if len(found) >= limit:
            return found
        merged = [t for t, into in final.items() if into == theme.pk]
        if visible_tags.filter(theme_id__in=merged).exists():
            found.append(Suggestion(kind="theme", label=theme.name))
    for value in taxonomy.values.values():
        if len(found) >= limit:
            break
        if starts_like(value.name) and visible_tags.filter(value_id=value.pk).exists():
            found.append(Suggestion(kind="value", label=value.name))
    return found


def resolve_filters(
    filters: SearchFilters, taxonomy: Taxonomy | None = None
) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """Index keys for each chosen facet, and the tag tokens whose moments make snippets."""
    keys: dict[str, list[str]] = {}
    tokens: list[str] = []
    taxonomy = taxonomy or Taxonomy.load()
    if filters.value:
        ids = [pk for pk, v in taxonomy.values.items() if v.slug in filters.value]
        keys["value"] = [str(i) for i in ids] or [NO_MATCH]
        tokens += [VALUE_TOKEN.format(i) for i in ids]
    if filters.theme:
        final, themes = taxonomy.final, taxonomy.themes
        chosen = {final[t.pk] for t in themes.values() if t.slug in filters.theme}
        ids = sorted(t for t, f in final.items() if f in chosen)
        keys["theme"] = [str(i) for i in ids] or [NO_MATCH]
        tokens += [THEME_TOKEN.format(i) for i in ids]
    if filters.project:
        ids = Project.objects.filter(slug__in=filters.project).values_list("pk", flat=True)
        keys["project"] = [str(i) for i in ids] or [NO_MATCH]
    for facet in ("value_group", "collection", "language", "year", "kind"):
        chosen_keys = getattr(filters, facet)
        if chosen_keys:
            keys[facet] = list(chosen_keys)
    return keys, tuple(tokens)


def label_facets(
    raw: dict[str, dict[str, int]], filters: SearchFilters, taxonomy: Taxonomy | None = None
) -> dict[str, list[FacetValue]]:
    """Facet counts with their labels and the keys that filters take."""
    taxonomy = taxonomy or Taxonomy.load()
    chosen = filters.chosen()
    out: dict[str, list[FacetValue]] = {}

    def entries(facet: str, rows: list[tuple[str, str, int]], order=None) -> None:
        picked = set(chosen.get(facet, ()))
        values = [
            FacetValue(key=k, label=label, count=n, selected=k in picked) for k, label, n in rows
        ]
        present = {v.key for v in values}
        values += [FacetValue(key=k, label=k, count=0, selected=True) for k in picked - present]
        out[facet] = sorted(values, key=order or (lambda v: (-v.count, v.label.lower())))

    counts = {facet: raw.get(facet, {}) for facet in FACETS}

    values = {pk: v for pk, v in taxonomy.values.items() if str(pk) in counts["value"]}
    entries(
        "value",
        [(v.slug, v.name, counts["value"][str(pk)]) for pk, v in values.items()],
        order=lambda f: (next((v.number for v in values.values() if v.slug == f.key), 99),),
    )
    group_labels = dict(ValueGroup.choices)
    entries(
        "value_group",
        [(k, str(group_labels.get(k, k)), n) for k, n in counts["value_group"].items()],
        order=lambda f: (list(group_labels).index(f.key) if f.key in group_labels else 9,),
    )
    final, themes = taxonomy.final, taxonomy.themes
    merged: dict[int, int] = {}
    for key, n in counts["theme"].items():
        if key.isdigit() and int(key) in final:
            merged[final[int(key)]] = merged.get(final[int(key)], 0) + n
    entries("theme", [(themes[t].slug, themes[t].name, n) for t, n in merged.items()])
    projects = Project.objects.in_bulk([int(k) for k in counts["project"] if k.isdigit()])
    entries("project", [(p.slug, p.name, counts["project"][str(pk)]) for pk, p in projects.items()])
    pages = CollectionPage.objects.in_bulk([int(k) for k in counts["collection"] if k.isdigit()])
    entries(
        "collection", [(str(pk), p.title, counts["collection"][str(pk)]) for pk, p in pages.items()]
    )
    entries(
        "language",
        [(k, LANG_INFO.get(k, {}).get("name", k), n) for k, n in counts["language"].items()],
    )
    entries(
        "year",
        [(k, k, n) for k, n in counts["year"].items()],
        order=lambda f: (-int(f.key) if f.key.isdigit() else 0,),
    )
    kinds = dict(StoryKind.choices)
    entries("kind", [(k, str(kinds.get(k, k)), n) for k, n in counts["kind"].items()])
    return out
