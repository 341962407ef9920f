"""People: storyteller profiles, project membership and the roles that decide what they see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from stories.audience import Role

if TYPE_CHECKING:
    from stories.types import User

__all__ = ["FORMER_MEMBER", "Role", "StorytellerProfile", "display_name"]

FORMER_MEMBER = "A former member"  # the name of someone whose account was deleted


class StorytellerProfile(models.Model):
    """Only what the archive needs: a display name or pseudonym, nothing else personal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="storyteller_profile"
    )
    display_name = models.CharField(
        max_length=120, help_text="The name shown when you choose to be named. A pseudonym is fine."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name


def display_name(user: User | None) -> str:
    """The name the archive shows for a person: their storyteller profile's display name, else
    their username; "A former member" once the account is gone (None)."""
    if user is None:
        return FORMER_MEMBER
    profile: StorytellerProfile | None = getattr(user, "storyteller_profile", None)
    return profile.display_name if profile else user.get_username()
