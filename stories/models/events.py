from __future__ import annotations

from django.conf import settings
from django.db import models


class StoryEvent(models.Model):
    """Audit trail of namespaced actions (story.uploaded, consent.withdrawn...).

    Kept after withdrawal: story_id is a plain integer so the trail outlives the story's content.
    """

    story_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on story {self.story_id}"
