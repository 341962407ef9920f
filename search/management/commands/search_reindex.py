"""Rebuild the search index from the database, without downtime."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import Unavailable, get_backend
from search.progress import Progress
from search.services import index_rebuild
from stories.models import Story


class Command(BaseCommand):
    help = (
        "Build a new versioned index of every story beside the live one, then swap the alias "
        "to it at once (Elasticsearch); on the database backend, rebuild its tables in one "
        "transaction; then rank every story's related stories on it (search.related). Searches "
        "keep working throughout."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=["database", "elasticsearch"], default=None)
        parser.add_argument("--batch", type=int, default=500, help="Stories per bulk request.")
        parser.add_argument(
            "--keep-old", action="store_true", help="Keep the previous index (Elasticsearch)."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            backend = get_backend(options["backend"])
            total = Story.objects.exclude(status="withdrawn").count()
            progress = Progress(total, f"Indexing {total} stories ({backend.name})", self.stderr)
            name = index_rebuild(
                backend=backend,
                progress=progress,
                batch=options["batch"],
                keep_old=options["keep_old"],
            )
        except Unavailable as exc:
            raise CommandError(
                f"{exc}\nNothing was swapped: searches still use the previous index. Start "
                "Elasticsearch (scripts/elasticsearch.sh start in development) and run again."
            ) from exc
        progress.finish()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {total} stories into {name} in {seconds:.1f} s; searches use it now."
            )
        )
