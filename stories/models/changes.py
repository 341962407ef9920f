"""The change log: a row for every change to a story that others must follow.

The domain writes it (`stories.changes.story_changed`) in the same transaction as the change,
so a change and its row commit together or not at all. The search engine consumes it: its
worker drains the rows to the index in bulk, and while Elasticsearch is down the rows wait.
"""

from __future__ import annotations

from django.db import models


class StoryChange(models.Model):
    story_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "archive_search_outboxentry"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"story {self.story_id} changed"
