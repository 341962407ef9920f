"""The archive's worker: the job loop, and the periodic upkeep beside it.

The loop takes the next due job from the job tables (the queues), runs it and looks again; with
nothing due it waits a moment. Redacted recordings come first (they are short, and the story's
recording is unavailable until they are made; the loop finds them itself), then transcriptions.
Beside it a thread runs, every few seconds, the upkeep each app names here:
- transcription and rendition jobs whose worker stopped renewing its lease are queued again (or
  failed when workers keep dying on them);
- the search outbox is drained to the search backend (rows stay while it is down); on
  PostgreSQL a follower thread also drains it the moment a change commits (FOLLOWERS);
- stories whose passage vectors were made by another embedding model go back through the
  change log, a batch a round, to be embedded anew;
- unfinished story uploads older than ARCHIVE_UPLOAD_SESSION_DAYS are deleted;
- stories whose scheduled publication time has come are published (or the refusal recorded).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils.module_loading import import_string

from transcribe.renditions import rendition_run_next
from transcribe.services import transcription_run_next

logger = logging.getLogger(__name__)

UPKEEP: tuple[str, ...] = (
    "transcribe.services.jobs_requeue_expired",
    "transcribe.renditions.renditions_requeue_expired",
    "search.services.outbox_drain",
    "search.vectors.reembed_stale",
    "storyteller.uploads.upload_sessions_expire",
    "stories.publication.scheduled_publications_run",
)


# Loops that wake on an event of their own, each on a thread: the search drain on PostgreSQL
# wakes when a change commits (the upkeep's drain stays as the fallback, and SQLite's way).
FOLLOWERS: tuple[str, ...] = ("search.services.outbox_follow",)


def start_followers(stop: threading.Event) -> list[threading.Thread]:
    """Start each follower loop on a thread of its own; each runs until ``stop`` is set."""
    threads = []
    for path in FOLLOWERS:
        follow: Callable[[threading.Event], object] = import_string(path)
        thread = threading.Thread(
            target=follow, args=(stop,), name=f"archive-{path.rsplit('.', 1)[-1]}", daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def upkeep_once() -> dict[str, int]:
    """Run every upkeep step once; a failing step is logged and retried next round."""
    done: dict[str, int] = {}
    for path in UPKEEP:
        try:
            step: Callable[[], int] = import_string(path)
            done[path] = step() or 0
        except Exception:
            logger.exception("Upkeep step %s failed; it will run again shortly.", path)
        finally:
            close_old_connections()
    return done


def run_upkeep_forever(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        upkeep_once()


def run_jobs_until_stopped(stop: threading.Event, *, worker: str, interval: float) -> int:
    """Take and run jobs (redacted recordings, then transcriptions) until ``stop`` is set;
    returns how many were run.

    Once ``stop`` is set the job in hand is given back at the engine's next progress report
    (or finished, if the engine is already done), and the loop ends.
    """
    ran = 0
    while not stop.is_set():
        try:
            outcome = rendition_run_next(worker=worker, stopping=stop)
            if outcome is None:
                outcome = transcription_run_next(worker=worker, stopping=stop)
        except Exception:  # the database may be briefly away: try again after a pause
            logger.exception("Taking the next job failed; trying again shortly.")
            outcome = None
        finally:
            close_old_connections()
        if outcome is None:
            stop.wait(interval)
            continue
        ran += 1
        logger.info("Job finished by %s: %s", worker, outcome)
    return ran
