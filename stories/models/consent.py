"""Consent records, append-only: the newest row is a story's consent, older rows its history."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Written"
    RECORDED = "recorded", "Recorded (spoken)"
    ON_BEHALF = "on_behalf", "Given on the storyteller's behalf"


class Attribution(models.TextChoices):
    NAMED = "named", "Show my name"
    ANONYMOUS = "anonymous", "Keep me anonymous"


class ConsentRecord(models.Model):
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="consent_history"
    )
    # The uses agreed. Researchers and public both require keeping it in the archive.
    archive = models.BooleanField("keep in the archive", default=False)
    researchers = models.BooleanField("used by approved researchers", default=False)
    public = models.BooleanField("shown publicly", default=False)
    quotes_allowed = models.BooleanField("quotes allowed", default=False)
    attribution = models.CharField(
        max_length=16, choices=Attribution.choices, default=Attribution.ANONYMOUS
    )
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    consent_text_version = models.CharField(max_length=32)
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    sealed_until = models.DateField(
        null=True, blank=True, help_text="Nobody but the storyteller sees it before this date."
    )
    withdrawn = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["story", "-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Consent for story {self.story_id} at {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # History is never rewritten: a change is a new record.
        if self.pk is not None:
            raise ValidationError("Consent records are append-only; record a new one instead.")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (self.researchers or self.public) and not self.archive:
            raise ValidationError(
                "A story can only be used by researchers or shown publicly if it is kept in the "
                "archive: tick 'keep in the archive' too, or untick the other uses."
            )

    def is_live(self, now: datetime.datetime) -> bool:
        """Withdrawn or expired consent counts as none."""
        return not self.withdrawn and (self.expires_at is None or self.expires_at > now)

    def is_sealed(self, today: datetime.date) -> bool:
        return self.sealed_until is not None and self.sealed_until > today
