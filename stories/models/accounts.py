"""Invitations: how a storyteller joins the archive (a one-time link, stored only as a hash)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self, now: datetime.datetime) -> InvitationQuerySet:
        """Invitations that can still be accepted."""
        return self.filter(accepted_at__isnull=True, revoked=False, expires_at__gt=now)


class Invitation(models.Model):
    # Only the SHA-256 of the token is kept: a leaked database cannot be used to join.
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(help_text="Where the link was sent; kept for notifications.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "stories.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True, help_text="A personal note included in the email.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked = models.BooleanField(default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.email}"
