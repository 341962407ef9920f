"""Email storytellers whose consent ends within ARCHIVE_CONSENT_REMINDER_DAYS (once each)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stories.notifications import consent_expiry_reminders_send


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        sent = consent_expiry_reminders_send()
        self.stdout.write(f"Sent {sent} consent expiry reminder(s).")
