"""`manage.py site_address`: point the Wagtail Site at ARCHIVE_BASE_URL (idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from public.site_address import site_address_sync


class Command(BaseCommand):
    help = "Point the default Wagtail Site at ARCHIVE_BASE_URL's host and port."

    def handle(self, *args, **options) -> None:
        site = site_address_sync()
        if site is None:
            raise CommandError("There is no default site yet: run `manage.py migrate` first.")
        self.stdout.write(
            f"The site is at {site.root_url} (ARCHIVE_BASE_URL={settings.ARCHIVE_BASE_URL})."
        )
