"""Report drift between the database and the search index; exit status 1 when there is any."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from search.backends import Unavailable, get_backend
from search.backends.elastic import MAPPING_VERSION
from search.progress import Progress
from search.services import index_drift
from stories.changes import story_changed
from stories.models import Story


class Command(BaseCommand):
    help = (
        "Compare every story as the database has it with the search index: stories missing "
        "from the index, stale in it, or in it when they should not be (withdrawn, deleted). "
        "Exits 1 when anything drifted; --fix queues the drifted stories for the outbox drain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=["database", "elasticsearch"], default=None)
        parser.add_argument(
            "--fix", action="store_true", help="Write outbox rows for every drifted story."
        )
        parser.add_argument("--show", type=int, default=20, help="Story ids to list per kind.")

    def handle(self, *args, **options):
        try:
            backend = get_backend(options["backend"])
            total = Story.objects.exclude(status="withdrawn").count()
            progress = Progress(total, f"Checking {total} stories ({backend.name})", self.stderr)
            backend.refresh()
            drift = index_drift(backend=backend, progress=progress)
            outdated = _outdated_mappings(backend)
        except Unavailable as exc:
            raise CommandError(
                f"{exc}\nThe check needs the search backend; start it first."
            ) from exc
        progress.finish()
        show = options["show"]
        for label, ids in (
            ("missing from the index", drift.missing),
            ("stale in the index", drift.stale),
            ("in the index but should not be", drift.extra),
        ):
            listed = ", ".join(str(i) for i in ids[:show]) + (" …" if len(ids) > show else "")
            self.stdout.write(f"{len(ids):>7} {label}{': ' + listed if ids else ''}")
        if drift.pending:
            self.stdout.write(
                f"{drift.pending:>7} outbox rows still waiting to be drained "
                "(drift on those stories is expected until the worker drains them)"
            )
        for name, version in outdated.items():
            self.stdout.write(
                f"Index {name} has mapping version {version}; this code writes version "
                f"{MAPPING_VERSION}: run `manage.py search_reindex`."
            )
        if not drift.drifted and not outdated:
            self.stdout.write(self.style.SUCCESS("The index matches the database."))
            return
        if options["fix"] and drift.drifted:
            story_changed(story_ids=drift.story_ids)
            self.stdout.write(
                f"Queued {len(drift.story_ids)} stories; the worker's outbox drain fixes them."
            )
        self.stderr.write(self.style.ERROR("The index has drifted from the database."))
        sys.exit(1)


def _outdated_mappings(backend) -> dict[str, int | None]:
    if backend.name != "elasticsearch":
        return {}
    return {n: v for n, v in backend.mapping_versions().items() if v != MAPPING_VERSION}
