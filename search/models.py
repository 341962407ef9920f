"""The search outbox: every change to what is indexed leaves a row here, in the same transaction.

A worker drains it to the search backend in bulk; while Elasticsearch is down rows wait.
"""

from __future__ import annotations

from django.db import models


class OutboxEntry(models.Model):
    story_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "outbox entries"

    def __str__(self) -> str:
        return f"reindex story {self.story_id}"
