"""The one visibility rule: who may see which stories, and which parts of them.

Every read path (pages, search on both backends, API, exports, feeds, sitemaps, media URLs)
asks this module, through `Story.objects.visible_to(audience)`, `visible_q` for search
backends, or `story_parts` for what to show of a story already found. The filter itself lives
with the story query set (`stories.models.story.visible_q`); who is looking is an `Audience`
(`stories.audience`).

The rule, for a story whose current consent is live (not withdrawn, not expired):
- public: consent to be shown publicly, not sealed, and the story is published;
- researcher: consent for approved researchers, not sealed, story approved or published;
- contributor: consent to keep it in the archive, not sealed, in a project they belong to;
- curator: consent to keep it in the archive (curators look after sealed stories too);
- storyteller: always their own stories, whatever the consent, until they withdraw.
A person with several roles sees the union. Withdrawn stories are seen by nobody.

What "quotes not allowed" means (`story_parts`, decided here once for every path):
A storyteller who agreed to their story being shown (to the public, to researchers) but not to
quotes agreed that people may listen to it, watch it and read it where the archive shows it,
whole and in its place; they did not agree to their words being taken out of it.
- The words in their place belong to the showing (`StoryParts.transcript`): the transcript
  beside the player, the captions the player loads (the WebVTT file), and a written story on its
  own page. Captions and a transcript are how deaf and hard-of-hearing people hear a recording,
  and WCAG asks for them with every published recording (success criteria 1.2.1 and 1.2.2), so
  whoever may see a story may read it there: this is true for every audience that sees it.
- Everything that takes the words somewhere else is a quote (`StoryParts.quotes`): search
  snippets, excerpts on the value and theme pages, feed entries, coded-excerpt exports (CSV,
  JSON, REFI-QDA), the JSON API's text and segments, and the transcript offered as a file to
  take away (SRT, plain text, JSON). Search may still find a story by its words; it shows none.
- Who may quote: the storyteller, their own story; everyone else (the public, researchers,
  contributors and curators alike) only where the consent allows quotes. Curators read every
  story in full where the archive shows it, but a refusal binds the archive and all who work in
  it, and a curator's export leaves the archive as much as a researcher's does.
The caption file can still be saved by anyone who may play the recording: the point is not to
make copying impossible, but that the archive never offers the words away from the story.
`quotes_q` is the same decision as a database filter, for lists of excerpts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from stories.audience import (
    CONTRIBUTOR,
    CURATOR,
    PUBLIC,
    PUBLIC_AUDIENCE,
    RESEARCHER,
    ROLES,
    STORYTELLER,
    Audience,
    audience_for,
)
from stories.models import ProjectMembership, display_name
from stories.models.story import VISIBLE_TO_RESEARCHERS, visible_q

if TYPE_CHECKING:
    from stories.models import Speaker, Story

__all__ = [
    "CONTRIBUTOR",
    "CURATOR",
    "PUBLIC",
    "PUBLIC_AUDIENCE",
    "RESEARCHER",
    "ROLES",
    "STORYTELLER",
    "Audience",
    "StoryParts",
    "audience_for",
    "audience_grants",
    "audience_markers",
    "quotes_q",
    "speaker_name",
    "story_parts",
    "visible_q",
]


@dataclass(frozen=True)
class StoryParts:
    """Which parts of a visible story this audience may see."""

    attribution: str  # the name to show, or "Anonymous storyteller"
    # The words may be taken out of the story: search snippets, excerpts on value and theme
    # pages, feeds, exports, the API's text and segments, transcript files (SRT, TXT, JSON).
    quotes: bool
    identity: bool  # may see who the storyteller really is (their account)
    # The words in their place: the transcript beside the player, its captions (WebVTT), a
    # written story on its own page (see the module's docstring for why this is always true).
    transcript: bool = True
    # The segment index (titles, synopses, keywords): it retells the words, so it goes where
    # the transcript goes.
    chapters: bool = True


ANONYMOUS_NAME = "Anonymous storyteller"


def story_parts(audience: Audience, story: Story) -> StoryParts:
    """What of `story` (already known visible to `audience`) to show.

    The storyteller's name appears only when the consent says named; a storyteller and the
    curators who look after the archive always know who told it. The words are quoted only
    where the consent allows it or by the storyteller themself; whoever may see the story reads
    it whole beside the recording (see the module's docstring).
    """
    consent = story.consent
    own = audience.user_id is not None and audience.user_id == story.storyteller_id
    identity = own or audience.has(CURATOR)
    named = consent is not None and consent.attribution == "named"
    name = display_name(story.storyteller) if named or own else ANONYMOUS_NAME
    quotes = own or bool(consent and consent.quotes_allowed)
    transcript = True
    return StoryParts(
        attribution=name,
        quotes=quotes,
        identity=identity,
        transcript=transcript,
        chapters=transcript,
    )


def speaker_name(speaker: Speaker | None, parts: StoryParts) -> str:
    """The name a speaker is shown by to an audience: the storyteller's own voice takes the
    story's attribution (their name only where consent allows it); others their given name."""
    if speaker is None:
        return ""
    if speaker.is_storyteller:
        return parts.attribution
    return speaker.name or f"Speaker {speaker.label.lstrip('S')}"


def quotes_q(audience: Audience, prefix: str = "") -> Q:
    """`story_parts(audience, story).quotes` as a filter on stories (`prefix`: "story__" from a
    model that points at the story), for lists that must leave unquotable stories out."""
    allowed = Q(**{f"{prefix}consent__quotes_allowed": True})
    if audience.user_id is not None:
        allowed |= Q(**{f"{prefix}storyteller_id": audience.user_id})
    return allowed


# --- The same rule for search indexes --------------------------------------------------------
# A search index cannot run `visible_q`, so the rule is restated in two halves that meet inside
# the search query: what a story's consent and status grant (`audience_markers`, stored in the
# index with the owner, the project, the consent expiry and the seal), and which of those an
# audience may see (`audience_grants`). Expiry and seal depend on the time of the query, so the
# index keeps their dates and the query compares them. tests/test_search_consent_property.py
# checks both halves together against `visible_q`.

MARK_PUBLIC = "public"  # consent to be shown publicly, and the story is published
MARK_RESEARCHERS = "researchers"  # consent for approved researchers, story approved or published
MARK_ARCHIVE = "archive"  # consent to keep it in the archive


def audience_markers(story: Story) -> frozenset[str]:
    """What the story's current consent and status grant, leaving out expiry and seal.

    Empty for a withdrawn story or consent (nobody but, until withdrawal, the storyteller).
    """
    consent = story.consent
    if story.status == "withdrawn" or consent is None or consent.withdrawn:
        return frozenset()
    marks = set()
    if consent.archive:
        marks.add(MARK_ARCHIVE)
    if consent.public and story.status == "published":
        marks.add(MARK_PUBLIC)
    if consent.researchers and story.status in VISIBLE_TO_RESEARCHERS:
        marks.add(MARK_RESEARCHERS)
    return frozenset(marks)


@dataclass(frozen=True)
class Grant:
    """One way an audience sees a story: the story carries `marker` (None: any story of
    `owner_id`), its consent is live if `live`, unsealed if `unsealed`, and it belongs to one of
    `project_ids` when that is set."""

    marker: str | None
    live: bool = True
    unsealed: bool = True
    project_ids: frozenset[int] | None = None
    owner_id: int | None = None


def audience_grants(audience: Audience) -> tuple[Grant, ...]:
    """The grants whose union is everything `audience` may see (withdrawn stories never)."""
    grants = [Grant(MARK_PUBLIC)]
    if audience.is_public:
        return tuple(grants)
    if audience.has(RESEARCHER):
        grants.append(Grant(MARK_RESEARCHERS))
    if audience.has(CONTRIBUTOR):
        member_of = ProjectMembership.objects.filter(user_id=audience.user_id)
        project_ids = frozenset(member_of.values_list("project_id", flat=True))
        grants.append(Grant(MARK_ARCHIVE, project_ids=project_ids))
    if audience.has(CURATOR):
        grants.append(Grant(MARK_ARCHIVE, unsealed=False))
    if audience.has(STORYTELLER):
        grants.append(Grant(None, live=False, unsealed=False, owner_id=audience.user_id))
    return tuple(grants)
