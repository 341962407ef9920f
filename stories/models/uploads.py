"""A resumable upload: the bytes received so far of one file, before it becomes story media."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", "Receiving"
    READY = "ready", "Checked and ready"  # probed and stripped of metadata
    FAILED = "failed", "Refused"
    USED = "used", "Attached to a story"


class UploadSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upload_sessions"
    )
    filename = models.CharField(max_length=255, help_text="As the client named it; for messages.")
    expected_size = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Optional, checked at the end.")
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.RECEIVING
    )
    # Filled in once the content has been checked.
    kind = models.CharField(max_length=8, blank=True)
    duration = models.FloatField(null=True, blank=True)
    suffix = models.CharField(max_length=8, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Upload {self.id} ({self.received_bytes}/{self.expected_size} bytes)"

    @property
    def complete(self) -> bool:
        return self.received_bytes >= self.expected_size
