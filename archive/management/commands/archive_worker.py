"""Run background work: queued tasks (transcription, indexing) and the periodic upkeep."""

from __future__ import annotations

import threading

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from archive.worker import run_upkeep_forever, upkeep_once


class Command(BaseCommand):
    help = "Run the task worker with lease recovery and search-outbox draining."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--upkeep-interval", type=float, default=3.0)
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        upkeep_once()
        stop = threading.Event()
        upkeep = threading.Thread(
            target=run_upkeep_forever, args=(stop, options["upkeep_interval"]), daemon=True
        )
        upkeep.start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
