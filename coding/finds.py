"""Coded excerpts as search results: accepted tags that match a query, through the visibility rule.

Answered from the database whichever search backend is configured: excerpts are tags (rows
here), and their words are read from the story at the time of asking (a correction or a
redaction reaches them), so there is no index copy to keep fresh.

A query matches an excerpt's memo, its value's or theme's name, and its words; the words count
only where the viewer may read them (`quotes_q`), so a search cannot tell what an unquotable
story says. Excerpts of such stories are still listed (by code or memo), without their words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from coding import units
from coding.models import Tag, TagStatus
from coding.reads import tag_range_label
from stories.models import Segment, Story, display_name
from stories.visibility import Audience, StoryParts, quotes_q, story_parts

EXCERPT = Q(start_seconds__isnull=False) | Q(char_start__isnull=False)


def _words_match(query: str) -> Q:
    """The excerpt's own words contain `query`: a segment it overlaps, or its characters."""
    segments = Segment.objects.filter(
        transcript__story_id=OuterRef("story_id"),
        start__lt=OuterRef("end_seconds"),
        end__gt=OuterRef("start_seconds"),
        text__icontains=query,
    )
    in_text = Q(char_start__isnull=False, char_end__isnull=False, chars__icontains=query)
    return Q(start_seconds__isnull=False) & Exists(segments) | in_text


def excerpt_matches(audience: Audience, query: str = "") -> QuerySet[Tag]:
    """Accepted excerpt tags on stories `audience` may see that match `query` (all if empty)."""
    tags = Tag.objects.filter(
        EXCERPT,
        status=TagStatus.ACCEPTED,
        story__in=Story.objects.visible_to(audience).values("pk"),
    )
    query = query.strip()
    if not query:
        return tags
    tags = tags.annotate(
        chars=Substr("story__text_body", F("char_start") + 1, F("char_end") - F("char_start"))
    )
    by_code = (
        Q(memo__icontains=query)
        | Q(value__name__icontains=query)
        | Q(theme__name__icontains=query)
        | Q(theme__synonyms__name__icontains=query)
    )
    by_words = _words_match(query) & quotes_q(audience, prefix="story__")
    # The synonym join may repeat a tag: keep ids distinct in a subquery, not the page itself.
    return Tag.objects.filter(pk__in=tags.filter(by_code | by_words).values("pk"))


@dataclass(frozen=True)
class FoundExcerpt:
    tag: Tag
    parts: StoryParts
    words: str  # '' where quotes are not allowed
    where: str  # "1:02-1:09" or "characters 5-40", as shown
    coder: str


def find_excerpts(
    audience: Audience, query: str = "", *, limit: int = 20, offset: int = 0
) -> tuple[list[FoundExcerpt], int]:
    """One page of matching excerpts, by story and time, and how many match in all.

    A fixed number of queries whatever the page holds: the count, the page, and the words
    (`units.quotes`: story texts and segments, for every excerpt of the page at once).
    """
    matches = excerpt_matches(audience, query)
    total = matches.count()
    page = list(
        matches.select_related(
            "value",
            "theme",
            "created_by__storyteller_profile",
            "story__consent",
            "story__project",
            "story__storyteller__storyteller_profile",
        ).order_by("story_id", "start_seconds", "char_start", "id")[offset : offset + limit]
    )
    parts = {t.story_id: story_parts(audience, t.story) for t in page}
    words = units.quotes([t for t in page if parts[t.story_id].quotes])
    found = []
    for tag in page:
        own = tag.created_by_id is not None and tag.created_by_id == tag.story.storyteller_id
        coder = parts[tag.story_id].attribution if own else display_name(tag.created_by)
        found.append(
            FoundExcerpt(
                tag, parts[tag.story_id], words.get(tag.pk, ""), tag_range_label(tag), coder
            )
        )
    return found, total
