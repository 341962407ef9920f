"""Run background work: redacted recordings and transcription jobs from the job tables, and the
periodic upkeep."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from archive.worker import (
    run_jobs_until_stopped,
    run_upkeep_forever,
    start_followers,
    upkeep_once,
)
from transcribe.services import worker_name

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Take redacted-recording and transcription jobs and run them, with lease recovery, "
        "search-outbox draining and upload expiry beside them. SIGTERM or Ctrl-C stops it "
        "cleanly (the job in hand is given back); a second signal stops it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )
        parser.add_argument("--upkeep-interval", type=float, default=3.0)
        parser.add_argument(
            "--poll-only",
            action="store_true",
            help="Drain the search change log every upkeep interval only, without listening "
            "for commits (PostgreSQL).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="Name shown on the jobs it takes (host:pid if not set).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():

            def on_signal(signum: int, frame: object) -> None:
                stop.set()
                for sig in STOP_SIGNALS:  # a second signal ends the process at once
                    signal.signal(sig, signal.SIG_DFL)

            previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
        worker = options["worker_id"] or worker_name()
        upkeep_once()
        upkeep = threading.Thread(
            target=run_upkeep_forever,
            args=(stop, options["upkeep_interval"]),
            name="archive-upkeep",
            daemon=True,
        )
        upkeep.start()
        followers = [] if options["poll_only"] else start_followers(stop)
        try:
            run_jobs_until_stopped(stop, worker=worker, interval=options["interval"])
        finally:
            stop.set()
            upkeep.join(timeout=30)
            for follower in followers:
                follower.join(timeout=10)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
