"""People: storyteller profiles, project membership and the roles that decide what they see."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.audience import Role

__all__ = ["Role", "StorytellerProfile"]


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
