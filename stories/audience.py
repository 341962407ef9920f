"""Who is looking: the audience a read path filters for (see `stories.visibility`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    """Roles are Django groups of these names; a person may hold several."""

    STORYTELLER = "storyteller", "Storyteller"
    CONTRIBUTOR = "contributor", "Contributor"
    CURATOR = "curator", "Curator"
    RESEARCHER = "researcher", "Researcher"


PUBLIC = "public"
STORYTELLER: str = Role.STORYTELLER.value
CONTRIBUTOR: str = Role.CONTRIBUTOR.value
RESEARCHER: str = Role.RESEARCHER.value
CURATOR: str = Role.CURATOR.value
ROLES = (STORYTELLER, CONTRIBUTOR, RESEARCHER, CURATOR)


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


def audience_for(user: AbstractBaseUser | AnonymousUser | None) -> Audience:
    """The audience of a request's user; anonymous users are the public."""
    if user is None or not user.is_authenticated:
        return PUBLIC_AUDIENCE
    # Asked many times per request (navigation, views, templates): read the groups once.
    cached: Audience | None = getattr(user, "_archive_audience", None)
    if cached is not None:
        return cached
    audience = _audience_of(user)
    user._archive_audience = audience  # type: ignore[attr-defined]
    return audience


def _audience_of(user: Any) -> Audience:
    if user.is_superuser:
        roles = frozenset(ROLES)
    else:
        names = {g.name for g in user.groups.all()}
        roles = frozenset(r for r in ROLES if r in names) | {STORYTELLER}
    return Audience(user_id=user.pk, roles=frozenset(roles))
