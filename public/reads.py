"""What the public pages read: every story query starts from the one visibility rule.

Each function returns a queryset (or a short list) whose number of database queries does not
grow with the number of stories: list pages select the rows a story card needs in one go.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce, Greatest

from coding.models import Tag, TagQuerySet, TagStatus
from stories.languages import part_lang
from stories.models import (
    Chapter,
    CollectionPage,
    CollectionStory,
    Project,
    Segment,
    Story,
    StoryKind,
    StoryQuerySet,
    Theme,
    Value,
    ValueGroup,
)
from stories.models.story import CARD_RELATED
from stories.visibility import (
    PUBLIC_AUDIENCE,
    Audience,
    StoryParts,
    quotes_q,
    speaker_name,
    visible_q,
)


def public_stories(audience: Audience = PUBLIC_AUDIENCE) -> StoryQuerySet:
    """Stories this audience may see, newest published first."""
    return Story.objects.visible_to(audience).order_by("-published_at", "-id")


def story_cards(stories: StoryQuerySet) -> StoryQuerySet:
    """What a story card needs in the same query (not the story's full text)."""
    return stories.as_cards()


def latest_stories(*, limit: int, audience: Audience = PUBLIC_AUDIENCE) -> list[Story]:
    return list(story_cards(public_stories(audience))[:limit])


@dataclass(frozen=True)
class TermCounts:
    """How many visible stories speak to each value and theme (by id)."""

    values: dict[int, int]
    themes: dict[int, int]


def term_counts(audience: Audience = PUBLIC_AUDIENCE) -> TermCounts:
    """One pass over the accepted tags of visible stories, for every value and theme at once."""
    rows = (
        Tag.objects.filter(status=TagStatus.ACCEPTED)
        .filter(story__in=Story.objects.visible_to(audience).values("pk"))
        .values("value_id", "theme_id")
        .annotate(stories=Count("story_id", distinct=True))
        .order_by()
    )
    values: dict[int, int] = {}
    themes: dict[int, int] = {}
    for row in rows:
        if row["value_id"] is not None:
            values[row["value_id"]] = row["stories"]
        else:
            themes[row["theme_id"]] = row["stories"]
    return TermCounts(values=values, themes=themes)


def values_with_counts(
    audience: Audience = PUBLIC_AUDIENCE, counts: TermCounts | None = None
) -> list[Value]:
    """All 18 values, each with `story_count`: the visible stories tagged with it."""
    counts = counts or term_counts(audience)
    values = list(Value.objects.order_by("number"))
    for value in values:
        # Not a field: the count the pages show beside the value.
        value.story_count = counts.values.get(value.pk, 0)  # type: ignore[attr-defined]
    return values


def values_by_group(
    audience: Audience = PUBLIC_AUDIENCE, counts: TermCounts | None = None
) -> list[tuple[str, list[Value]]]:
    """[(group label, values)], in the order of the co-production review."""
    values = values_with_counts(audience, counts)
    return [(group.label, [v for v in values if v.group == group.value]) for group in ValueGroup]


def themes_with_counts(
    audience: Audience = PUBLIC_AUDIENCE, counts: TermCounts | None = None
) -> list[Theme]:
    """Themes (not merged away) that at least one visible story speaks to, with `story_count`."""
    counts = counts or term_counts(audience)
    themes = list(Theme.objects.active().filter(pk__in=list(counts.themes)).order_by("name"))
    for theme in themes:
        theme.story_count = counts.themes[theme.pk]
    return themes


def stories_tagged(
    *, value: Value | None = None, theme: Theme | None = None, audience: Audience = PUBLIC_AUDIENCE
) -> StoryQuerySet:
    """Visible stories with an accepted tag (on the whole story or an excerpt) of this term."""
    term = Q(value=value) if value is not None else Q(theme=theme)
    matching = Tag.objects.filter(term, status=TagStatus.ACCEPTED).values("story_id")
    return story_cards(public_stories(audience).filter(pk__in=matching))


def excerpts_tagged(
    *, value: Value | None = None, theme: Theme | None = None, audience: Audience = PUBLIC_AUDIENCE
) -> TagQuerySet:
    """Tagged excerpts of visible stories that this audience may quote.

    `quotes_q` is `story_parts(audience, story).quotes` as a filter; pages that show these still
    ask `story_parts` for the attribution.
    """
    term = Q(value=value) if value is not None else Q(theme=theme)
    return (
        Tag.objects.filter(term, status=TagStatus.ACCEPTED)
        .filter(story__in=Story.objects.visible_to(audience).values("pk"))
        .filter(quotes_q(audience, prefix="story__"))
        .filter(Q(start_seconds__isnull=False) | Q(char_start__isnull=False))
        .select_related(*(f"story__{name}" for name in CARD_RELATED))
        .order_by("-story__published_at", "story_id", "start_seconds", "char_start", "id")
    )


def live_collections() -> QuerySet[CollectionPage]:
    return (
        CollectionPage.objects.live()
        .public()
        .select_related("image")
        .prefetch_related("image__renditions")
        .order_by("path")
    )


def collections_containing(story: Story) -> QuerySet[CollectionPage]:
    return (
        CollectionPage.objects.live()
        .public()
        .filter(pk__in=CollectionStory.objects.filter(story=story).values("page_id"))
        .order_by("path")
    )


def visible_story(pk: int, audience: Audience = PUBLIC_AUDIENCE) -> Story | None:
    """The story with this id if the audience may see it, with what its page needs."""
    related = [*CARD_RELATED, "transcript", "photo"]
    return (
        Story.objects.visible_to(audience)
        .select_related(*related)
        .prefetch_related(
            Prefetch(
                "tags",
                queryset=Tag.objects.filter(status=TagStatus.ACCEPTED).select_related(
                    "value", "theme"
                ),
                to_attr="accepted_tags",
            ),
            # The segment index: shown only where story_parts(...).chapters allows.
            Prefetch(
                "chapters",
                queryset=Chapter.objects.order_by("start", "id").prefetch_related(
                    Prefetch("values", queryset=Value.objects.order_by("number")),
                    Prefetch("themes", queryset=Theme.objects.order_by("name")),
                ),
                to_attr="prefetched_chapters",
            ),
        )
        .filter(pk=pk)
        .first()
    )


def is_public(story: Story) -> bool:
    """Whether the public may see this story too (signed-in pages say when it may not)."""
    return Story.objects.visible_to(PUBLIC_AUDIENCE).filter(pk=story.pk).exists()


@dataclass(frozen=True)
class StoryTerms:
    values: list[Value]
    themes: list[Theme]


def story_terms(story: Story) -> StoryTerms:
    """The values and themes a story (or any excerpt of it) is tagged with, each once."""
    values: dict[int, Value] = {}
    themes: dict[int, Theme] = {}
    # A prefetched empty list is an answer too: only a story read without it asks again.
    tags = getattr(story, "accepted_tags", None)
    if tags is None:
        tags = story.tags.filter(status=TagStatus.ACCEPTED).select_related("value", "theme")
    for tag in tags:
        if tag.value is not None:
            values.setdefault(tag.value.pk, tag.value)
        if tag.theme is not None:
            themes.setdefault(tag.theme.pk, tag.theme)
    return StoryTerms(
        values=sorted(values.values(), key=lambda v: v.number),
        themes=sorted(themes.values(), key=lambda t: t.name),
    )


def story_segments(story: Story, parts: StoryParts | None = None) -> list[Segment]:
    """The transcript's timecoded lines, in order (empty for a story without one).

    With `parts`, each line whose speaker differs from the line before carries `turn`: the
    speaker's name as this reader may see it (the storyteller's voice under their attribution).
    Each line carries `lang`: its language where it is not the page's (stories.languages).
    """
    # A story read by `visible_story` knows its transcript already (or that it has none).
    transcript = getattr(story, "transcript", None)
    if transcript is None:
        return []
    segments = list(
        Segment.objects.filter(transcript=transcript).select_related("speaker").order_by("index")
    )
    previous = None
    for segment in segments:
        lang = part_lang(segment.language, transcript.language, story.language)
        segment.lang = lang  # type: ignore[attr-defined]
        segment.turn = ""  # type: ignore[attr-defined]
        if parts is not None and segment.speaker_id and segment.speaker_id != previous:
            segment.turn = speaker_name(segment.speaker, parts)  # type: ignore[attr-defined]
        previous = segment.speaker_id
    return segments


def story_chapters(story: Story) -> list[Chapter]:
    """The segment index, in order (prefetched by `visible_story`)."""
    chapters: list[Chapter] | None = getattr(story, "prefetched_chapters", None)
    return chapters if chapters is not None else list(story.chapters.order_by("start", "id"))


def has_transcript(story: Story) -> bool:
    return Segment.objects.filter(transcript__story=story).exists()


def related_stories(
    story: Story, *, limit: int = 3, audience: Audience = PUBLIC_AUDIENCE
) -> list[Story]:
    """Other visible stories that speak to the same themes (then values), most shared first.

    Counted on the tags of this story's themes and values only, so the cost follows the size
    of those themes, not of the archive.
    """
    terms = story_terms(story)
    if not terms.themes and not terms.values:
        return []
    ranked = (
        Tag.objects.filter(status=TagStatus.ACCEPTED)
        .filter(Q(theme__in=terms.themes) | Q(value__in=terms.values))
        .exclude(story_id=story.pk)
        .filter(story__in=Story.objects.visible_to(audience).values("pk"))
        .values("story_id")
        .annotate(
            themes_shared=Count("theme", distinct=True),
            terms_shared=Count("id"),
            newest=Max("story__published_at"),
        )
        .order_by("-themes_shared", "-terms_shared", "-newest", "-story_id")[:limit]
    )
    order = [row["story_id"] for row in ranked]
    found = {s.pk: s for s in story_cards(Story.objects.visible_to(audience).filter(pk__in=order))}
    return [found[pk] for pk in order if pk in found]


def project_credits(project: Project) -> list[tuple[str, str]]:
    """[(name, role)] of the people who agreed to be credited publicly, in the curator's order."""
    members = project.memberships.filter(credit_publicly=True).select_related(
        "user__storyteller_profile"
    )
    credits = []
    for member in members:
        profile = getattr(member.user, "storyteller_profile", None)
        name = member.credit_name or (profile.display_name if profile else "")
        if name:
            credits.append((name, member.role))
    return credits


def project_stories(project: Project, audience: Audience = PUBLIC_AUDIENCE) -> StoryQuerySet:
    return story_cards(public_stories(audience).filter(project=project))


def project_collections(project: Project) -> QuerySet[CollectionPage]:
    return live_collections().filter(project=project)


def featured_or_latest_collections(
    featured: Iterable[CollectionPage], *, limit: int
) -> list[CollectionPage]:
    """The curator's featured collections, or the newest collections when none are chosen."""
    featured = list(featured)
    # Only live collections without a view restriction may be named to the public.
    shown = set(
        live_collections()
        .filter(pk__in=[page.pk for page in featured])
        .values_list("pk", flat=True)
    )
    chosen = [page for page in featured if page.pk in shown]
    if chosen:
        return chosen
    return list(live_collections().order_by("-first_published_at")[:limit])


# --- What library harvesters (OAI-PMH) are told about ---------------------------------------


def harvest_items(now: datetime.datetime) -> StoryQuerySet:
    """Every story the OAI-PMH endpoint names, by id: the ones the public may see now (with
    `is_public` true), and the ones once published that it no longer may (withdrawn,
    unpublished, consent ended or changed), which harvesters are told are deleted.

    `datestamp` is the last change a harvester must hear of: the story's row, its current
    consent, its withdrawal, the end of its consent. `published_at` stays set when a story is
    unpublished or withdrawn, so "was ever published" needs no table of its own (persistent
    deletion).
    """
    public = visible_q(PUBLIC_AUDIENCE, now)
    return (
        Story.objects.filter(public | Q(published_at__isnull=False))
        .annotate(
            is_public=Case(When(public, then=models.Value(True)), default=models.Value(False)),
            datestamp=Greatest(
                "updated_at",
                Coalesce("consent__created_at", "updated_at"),
                Coalesce("withdrawn_at", "updated_at"),
                # Consent that ran out took the story away at that moment.
                Case(
                    When(consent__expires_at__lte=now, then=F("consent__expires_at")),
                    default=F("updated_at"),
                ),
            ),
        )
        .order_by("pk")
    )


def harvest_records(ids: list[int]) -> dict[int, Story]:
    """The public stories among `ids` with what their Dublin Core needs, in three queries."""
    stories = (
        Story.objects.visible_to(PUBLIC_AUDIENCE)
        .filter(pk__in=ids)
        .select_related(*CARD_RELATED)
        .defer("text_body")
        .prefetch_related(_accepted_tags())
    )
    return {story.pk: story for story in stories}


def collections_of(story_ids: Iterable[int]) -> dict[int, list[int]]:
    """{story id: [ids of the live public collections that hold it]}, in one query."""
    held: dict[int, list[int]] = {}
    rows = (
        CollectionStory.objects.filter(story_id__in=list(story_ids))
        .filter(page__in=live_collections().values("pk"))
        .order_by("page__path")
        .values_list("story_id", "page_id")
    )
    for story_id, page_id in rows:
        held.setdefault(story_id, []).append(page_id)
    return held


def set_members(collection_id: int) -> QuerySet[CollectionStory]:
    """Ids of the stories a live public collection holds (none for any other page)."""
    return CollectionStory.objects.filter(
        page_id=collection_id, page__in=live_collections().values("pk")
    ).values("story_id")


def manifest_story(pk: int) -> Story | None:
    """A public story with what its IIIF manifest needs, in a fixed number of queries."""
    return (
        Story.objects.visible_to(PUBLIC_AUDIENCE)
        .select_related(*CARD_RELATED, "transcript", "photo")
        .annotate(has_segments=Exists(Segment.objects.filter(transcript__story=OuterRef("pk"))))
        .prefetch_related(
            _accepted_tags(),
            Prefetch("chapters", Chapter.objects.order_by("start"), to_attr="public_chapters"),
        )
        .filter(pk=pk)
        .first()
    )


def _accepted_tags() -> Prefetch:
    """A story's accepted tags with their terms, as `accepted_tags` (what `story_terms` reads)."""
    return Prefetch(
        "tags",
        queryset=Tag.objects.filter(status=TagStatus.ACCEPTED).select_related("value", "theme"),
        to_attr="accepted_tags",
    )


def podcast_stories(collection: CollectionPage | None = None) -> StoryQuerySet:
    """Public audio and video stories with a recording (of one collection), newest first."""
    stories = (
        public_stories()
        .filter(kind__in=[StoryKind.AUDIO, StoryKind.VIDEO])
        .exclude(media="")
        .select_related(*CARD_RELATED, "photo")
    )
    if collection is not None:
        stories = stories.filter(
            pk__in=CollectionStory.objects.filter(page=collection).values("story_id")
        )
    return stories
