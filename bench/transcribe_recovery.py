"""How long a transcription job whose worker died waits before a worker takes it again.

    .venv/bin/python bench/transcribe_recovery.py                    # 180 jobs, 30 deaths
    .venv/bin/python bench/transcribe_recovery.py --jobs 60 --deaths 10 --order queued_at

A drill on the real job queue (``transcribe.services``: job_claim_next, the heartbeat, the
upkeep's jobs_requeue_expired, transcript_store) with the speech engine left out: each worker is
a thread that claims the next job, "transcribes" for a random short time while its heartbeat
renews the lease, and stores a small transcript. At planned moments a worker dies mid-job: it
stops renewing its lease and writes nothing, and a new worker takes its place at once (as a
supervisor would restart it). Every job is queued at the start, so there is a backlog.

For every death it reports how long after the dead worker's lease expired the job was started
again (median, 95th percentile, max), and checks that nothing was lost: every job done, one
transcript each. Time is scaled down (a lease of 2 s instead of 60 s, jobs of about half a
second); the figures are in the same scaled seconds.

It runs twice (``--order both``): once in the archive's order (oldest first by the time the
job's generation was queued), and once ordered by each job's latest (re)queue time, which is
how a recovered job behaves when its retry joins the back of the queue. Uses the database in
DATABASE_URL (migrated first), or else a throwaway SQLite file.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402


def _recovery_settings(args: argparse.Namespace) -> None:
    from django.conf import settings

    settings.TRANSCRIBE_LEASE_SECONDS = args.lease
    settings.TRANSCRIBE_MAX_ATTEMPTS = 100  # deaths must not fail a job


def seed(total: int) -> list[int]:
    """``total`` stories with a stored (stand-in) recording, the way the upload leaves them."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import transaction

    from stories import services
    from stories.models import ConsentMethod, Story, StoryKind, StoryStatus

    teller, _ = get_user_model().objects.get_or_create(username="bench-recovery")
    ids = list(
        Story.objects.filter(storyteller=teller, title__startswith="Recovery drill")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for n in range(len(ids), total):
        with transaction.atomic():
            story = services.story_create(
                storyteller=teller, title=f"Recovery drill {n}", kind=StoryKind.AUDIO
            )
            services.consent_record(
                story=story, actor=teller, method=ConsentMethod.WRITTEN, archive=True
            )
            story.media.save(f"drill{n}.wav", ContentFile(b"stand-in recording"))
            services.story_transition(story=story, target=StoryStatus.UPLOADED, actor=teller)
        ids.append(story.pk)
    return ids[:total]


def use_order(order: str) -> None:
    from django.db.models import F
    from django.db.models.functions import Coalesce, Greatest

    from transcribe.models import TranscriptionJobQuerySet

    if order == "queued_at":
        TranscriptionJobQuerySet.in_queue_order = ARCHIVE_ORDER[0]
    else:  # the latest time the job was (re)queued: an expired lease counts as a requeue

        def latest(self):
            requeued = Greatest(F("run_after"), Coalesce(F("lease_expires_at"), F("run_after")))
            return self.order_by(requeued, "pk")

        TranscriptionJobQuerySet.in_queue_order = latest


@dataclass
class Death:
    story_id: int
    died_at: float
    lease_expires_at: float


def drill(story_ids: list[int], args: argparse.Namespace, order: str) -> dict[str, object]:
    from django.db import connection
    from django.utils import timezone

    from stories.models import Story, StoryEvent, Transcript
    from transcribe import services
    from transcribe.engines import Segment, TranscriptionResult
    from transcribe.models import JobState, TranscriptionJob

    use_order(order)
    result = TranscriptionResult(
        (Segment(0.0, 1.0, "A stand-in line.", 0.9),), "en", 1.0, 1.0, "bench", "none"
    )
    for story_id in story_ids:  # everything queued at the start: a backlog
        services.transcription_enqueue(story=Story.objects.get(pk=story_id))
    begun = timezone.now()
    rng = random.Random(args.seed)
    claims = itertools.count()
    deadly = set(rng.sample(range(len(story_ids) + args.deaths), args.deaths))
    deaths: list[Death] = []
    lock = threading.Lock()
    stop = threading.Event()

    def unfinished() -> bool:
        return TranscriptionJob.objects.filter(
            story_id__in=story_ids, state__in=[JobState.QUEUED, JobState.RUNNING]
        ).exists()

    def worker(index: int) -> None:
        lives = itertools.count()
        name = f"w{index}.{next(lives)}"
        local = random.Random(args.seed + index)
        try:
            while not stop.is_set():
                claim = services.job_claim_next(worker=name)
                if claim is None:
                    if not unfinished():
                        return
                    time.sleep(args.poll)
                    continue
                with lock:
                    dies = next(claims) in deadly
                work = local.uniform(args.work * 0.5, args.work * 1.5)
                with services.Heartbeat(claim):
                    time.sleep(work / 2 if dies else work)
                if dies:  # no more heartbeats, nothing written; a new worker starts
                    expires = TranscriptionJob.objects.get(pk=claim.job_id).lease_expires_at
                    with lock:
                        deaths.append(Death(claim.story_id, time.time(), expires.timestamp()))
                    name = f"w{index}.{next(lives)}"
                    continue
                services.transcript_store(claim=claim, result=result)
        finally:
            connection.close()

    def upkeep() -> None:
        try:
            while not stop.wait(args.upkeep):
                services.jobs_requeue_expired()
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.workers)]
    keeper = threading.Thread(target=upkeep)
    for thread in [*threads, keeper]:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    keeper.join()
    elapsed = time.perf_counter() - started

    waits, since_death = [], []
    for death in deaths:
        again = (
            StoryEvent.objects.filter(
                story_id=death.story_id, action="transcription.started", at__gte=begun
            )
            .filter(at__gt=datetime.datetime.fromtimestamp(death.died_at, tz=datetime.UTC))
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        assert again is not None, f"story {death.story_id} was never taken again"
        waits.append(again.timestamp() - death.lease_expires_at)
        since_death.append(again.timestamp() - death.died_at)
    jobs = TranscriptionJob.objects.filter(story_id__in=story_ids)
    done = jobs.filter(state=JobState.DONE, finished_at__gte=begun).count()
    transcripts = Transcript.objects.filter(story_id__in=story_ids).count()
    return {
        "order": order,
        "jobs": len(story_ids),
        "done": done,
        "transcripts": transcripts,
        "deaths": len(deaths),
        "elapsed": elapsed,
        "waits": waits,
        "since_death": since_death,
    }


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=180)
    parser.add_argument("--deaths", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--lease", type=float, default=2.0, help="lease seconds (scaled)")
    parser.add_argument("--work", type=float, default=0.5, help="mean seconds per job")
    parser.add_argument("--poll", type=float, default=0.05, help="idle worker's pause")
    parser.add_argument("--upkeep", type=float, default=0.5, help="seconds between upkeeps")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--order", choices=["queued_at", "latest", "both"], default="both")
    args = parser.parse_args()

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    where = configure("recovery", before_migrate=lambda: _recovery_settings(args))
    from transcribe.models import TranscriptionJobQuerySet

    ARCHIVE_ORDER.append(TranscriptionJobQuerySet.in_queue_order)
    story_ids = seed(args.jobs)
    print(
        f"database {where}; {args.jobs} jobs, {args.deaths} worker deaths, {args.workers} "
        f"workers, lease {args.lease} s, about {args.work} s a job\n"
    )
    orders = ["queued_at", "latest"] if args.order == "both" else [args.order]
    lost = False
    print(
        f"{'claim order':<34} {'wait after lease expiry: median':>32} {'p95':>7} {'max':>7}"
        f"  {'after death, median':>20}  {'run':>6}  done/jobs"
    )
    for order in orders:
        r = drill(story_ids, args, order)
        waits, since = r["waits"], r["since_death"]
        label = {
            "queued_at": "oldest first by queued_at (archive)",
            "latest": "by latest (re)queue (back of queue)",
        }[order]
        print(
            f"{label:<34} {statistics.median(waits):>31.2f}s {quantile(waits, 0.95):>6.2f}s "
            f"{max(waits):>6.2f}s  {statistics.median(since):>19.2f}s  {r['elapsed']:>5.1f}s"
            f"  {r['done']}/{r['jobs']} ({r['deaths']} deaths)"
        )
        lost = lost or r["done"] != r["jobs"] or r["transcripts"] != r["jobs"]
    if lost:
        print("\nSome jobs were not done, or a story has no transcript or more than one.")
    return 1 if lost else 0


ARCHIVE_ORDER: list = []  # the archive's own claim order, kept while the drill swaps it

if __name__ == "__main__":
    sys.exit(main())
