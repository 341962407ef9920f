"""The archive's worker: django-tasks' database worker plus the periodic upkeep it lacks.

django-tasks runs queued tasks but never retries one whose process died, and Wagtail's own
search indexing drops updates made while Elasticsearch is down. So beside the task loop a
thread runs, every few seconds, the upkeep each app names here:
- transcription jobs whose worker stopped renewing its lease are queued again;
- the search outbox is drained to the search backend (rows stay while it is down);
- unfinished story uploads older than ARCHIVE_UPLOAD_SESSION_DAYS are deleted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

UPKEEP: tuple[str, ...] = (
    "transcribe.services.jobs_requeue_expired",
    "search.services.outbox_drain",
    "storyteller.uploads.upload_sessions_expire",
)


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
