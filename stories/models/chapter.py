"""The segment index of a story: chapters with a title, a synopsis and keywords, as OHMS keeps them.

Curators divide any story; a storyteller divides their own. Chapters are read through the
same rule as the transcript (`stories.visibility.story_parts`), since a synopsis retells it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Chapter(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="chapters")
    start = models.FloatField(help_text="Seconds from the start of the recording.")
    end = models.FloatField(
        null=True, blank=True, help_text="Seconds; empty means it runs to the next chapter."
    )
    title = models.CharField(max_length=200)
    synopsis = models.TextField(blank=True, max_length=2000)
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Words a listener might look for, comma-separated."
    )
    values = models.ManyToManyField("stories.Value", blank=True, related_name="chapters")
    themes = models.ManyToManyField("stories.Theme", blank=True, related_name="chapters")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A synopsis retells the storyteller's words: it goes when they withdraw.
    erased_on_withdrawal = True

    class Meta:
        ordering = ["story", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__gte=0), name="chapter_start_positive"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="chapter_end_after_start",
            ),
            models.UniqueConstraint(fields=["story", "start"], name="unique_chapter_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:.0f} s)"

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]
