"""The one visibility rule: who may see which stories, and which parts of them.

Every read path (pages, search on both backends, API, exports, feeds, sitemaps, media URLs)
asks this module, through `Story.objects.visible_to(audience)`, `visible_q` for search
backends, or `story_parts` for what to show of a story already found.

The rule, for a story whose current consent is live (not withdrawn, not expired):
- public: consent to be shown publicly, not sealed, and the story is published;
- researcher: consent for approved researchers, not sealed, story approved or published;
- contributor: consent to keep it in the archive, not sealed, in a project they belong to;
- curator: consent to keep it in the archive (curators look after sealed stories too);
- storyteller: always their own stories, whatever the consent, until they withdraw.
A person with several roles sees the union. Withdrawn stories are seen by nobody.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

PUBLIC = "public"
STORYTELLER = "storyteller"
CONTRIBUTOR = "contributor"
RESEARCHER = "researcher"
CURATOR = "curator"
ROLES = (STORYTELLER, CONTRIBUTOR, RESEARCHER, CURATOR)

VISIBLE_TO_RESEARCHERS = ("approved", "published")


@dataclass(frozen=True)
class Audience:
    """Who is looking. `user_id` is None for the public."""

    user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_public(self) -> bool:
        return self.user_id is None

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def cache_key(self) -> str:
        return "public" if self.is_public else f"u{self.user_id}:{','.join(sorted(self.roles))}"


PUBLIC_AUDIENCE = Audience()


def audience_for(user) -> Audience:
    """The audience of a request's user; anonymous users are the public."""
    if user is None or not user.is_authenticated:
        return PUBLIC_AUDIENCE
    # Asked many times per request (navigation, views, templates): read the groups once.
    cached = getattr(user, "_archive_audience", None)
    if cached is not None:
        return cached
    user._archive_audience = _audience_of(user)
    return user._archive_audience


def _audience_of(user) -> Audience:
    if user.is_superuser:
        roles = frozenset(ROLES)
    else:
        names = {g.name for g in user.groups.all()}
        roles = frozenset(r for r in ROLES if r in names) | {STORYTELLER}
    return Audience(user_id=user.pk, roles=frozenset(roles))


def _live(now: datetime.datetime) -> Q:
    return (
        Q(consent__isnull=False)
        & Q(consent__withdrawn=False)
        & (Q(consent__expires_at__isnull=True) | Q(consent__expires_at__gt=now))
    )


def _unsealed(today: datetime.date) -> Q:
    return Q(consent__sealed_until__isnull=True) | Q(consent__sealed_until__lte=today)


def visible_q(audience: Audience, now: datetime.datetime) -> Q:
    """A filter on Story for everything `audience` may see at `now`."""
    today = now.date()
    live = _live(now)
    allowed = live & _unsealed(today) & Q(consent__public=True) & Q(status="published")
    if audience.is_public:
        return allowed & ~Q(status="withdrawn")
    if audience.has(RESEARCHER):
        allowed |= (
            live
            & _unsealed(today)
            & Q(consent__researchers=True)
            & Q(status__in=VISIBLE_TO_RESEARCHERS)
        )
    if audience.has(CONTRIBUTOR):
        from stories.models import ProjectMembership

        member_of = ProjectMembership.objects.filter(user_id=audience.user_id).values("project_id")
        allowed |= live & _unsealed(today) & Q(consent__archive=True) & Q(project_id__in=member_of)
    if audience.has(CURATOR):
        allowed |= live & Q(consent__archive=True)
    if audience.has(STORYTELLER):
        allowed |= Q(storyteller_id=audience.user_id)
    return allowed & ~Q(status="withdrawn")


@dataclass(frozen=True)
class StoryParts:
    """Which parts of a visible story this audience may see."""

    attribution: str  # the name to show, or "Anonymous storyteller"
    quotes: bool  # excerpts may be quoted (search snippets, exports, excerpt pages)
    identity: bool  # may see who the storyteller really is (their account)


ANONYMOUS_NAME = "Anonymous storyteller"


def story_parts(audience: Audience, story) -> StoryParts:
    """What of `story` (already known visible to `audience`) to show.

    The storyteller's name appears only when the consent says named; a storyteller and the
    curators who look after the archive always know who told it.
    """
    consent = story.consent
    own = audience.user_id is not None and audience.user_id == story.storyteller_id
    identity = own or audience.has(CURATOR)
    named = consent is not None and consent.attribution == "named"
    if named or own:
        profile = getattr(story.storyteller, "storyteller_profile", None)
        name = profile.display_name if profile else story.storyteller.get_username()
    else:
        name = ANONYMOUS_NAME
    quotes = own or audience.has(CURATOR) or bool(consent and consent.quotes_allowed)
    return StoryParts(attribution=name, quotes=quotes, identity=identity)


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


def audience_markers(story) -> frozenset[str]:
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
        from stories.models import ProjectMembership

        member_of = ProjectMembership.objects.filter(user_id=audience.user_id)
        project_ids = frozenset(member_of.values_list("project_id", flat=True))
        grants.append(Grant(MARK_ARCHIVE, project_ids=project_ids))
    if audience.has(CURATOR):
        grants.append(Grant(MARK_ARCHIVE, unsealed=False))
    if audience.has(STORYTELLER):
        grants.append(Grant(None, live=False, unsealed=False, owner_id=audience.user_id))
    return tuple(grants)
