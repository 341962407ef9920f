"""What every benchmark does first: a database (a throwaway SQLite unless DATABASE_URL is
set), Django set up on the base settings, and the migrations run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable


def configure(name: str, *, before_migrate: Callable[[], None] | None = None) -> str:
    """Set Django up for benchmark `name`; returns where the database is, for the report."""
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("MEDIA_ROOT", f"{folder}/media")
        os.environ.setdefault("ARCHIVE_PRIVATE_MEDIA_ROOT", f"{folder}/private-media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("SEARCH_BACKEND", "database")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no line per background task in the report
    import django

    django.setup()
    from django.core.management import call_command

    if before_migrate is not None:
        before_migrate()
    call_command("migrate", verbosity=0, interactive=False)
    return os.environ["DATABASE_URL"].split("@")[-1]
