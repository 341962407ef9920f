"""Freshness: how soon a committed change is searchable, and the change log under a burst.

    DATABASE_URL=postgres://… python bench/freshness.py            # 40 samples, bursts of 10k
    python bench/freshness.py --samples 100 --burst 10000 --backend elasticsearch

It runs the real worker (`manage.py archive_worker`) twice on the same corpus: as it runs by
default (on PostgreSQL it LISTENs and drains the moment a change commits) and with
`--poll-only` (a drain every upkeep interval, 3 s, as before). For each it commits title
changes one at a time and searches for the new title as the public until it is found,
printing commit-to-searchable p50 and p95 side by side with the ratio. Then, with the default
worker running, it commits a burst of changes (one transaction each) to few stories and to
many, sampling the change log's size: the largest backlog, how long after the last commit the
log was empty, and how many documents were written.

The corpus goes into a database of its own: with a PostgreSQL DATABASE_URL,
`<name>_bench_freshness` on the same server (created when missing); otherwise a throwaway
SQLite file (where only polling exists). With `--backend elasticsearch` its indices use the
prefix SEARCH_INDEX_PREFIX (default `bench`) and are deleted at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UPKEEP_INTERVAL = 3.0


def _search_bench():
    """bench/search.py, for its corpus generator (its name would shadow the search app)."""
    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def configure(backend: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, name = url.rpartition("/")
        name = name.split("?")[0] + "_bench_freshness"
        _search_bench()._create_pg_database(f"{base}/postgres", name)
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ["SEARCH_BACKEND"] = backend
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "bench")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.django_setup import configure as django_configure

    return django_configure("freshness")


@contextlib.contextmanager
def worker(*, poll_only: bool):
    args = [sys.executable, "manage.py", "archive_worker", "--upkeep-interval"]
    args += [str(UPKEEP_INTERVAL), *(["--poll-only"] if poll_only else [])]
    log = open(ROOT / ".cache" / "bench-freshness-worker.log", "a")  # noqa: SIM115
    process = subprocess.Popen(args, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log)
    try:
        time.sleep(UPKEEP_INTERVAL)  # started, listening, first upkeep done
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def commit_to_searchable(story_ids: list[int], samples: int, rng: random.Random) -> list[float]:
    from django.db import transaction

    from search.api import search_stories
    from stories.changes import story_changed
    from stories.models import Story
    from stories.visibility import PUBLIC_AUDIENCE

    waits = []
    for i in range(samples):
        story_id = rng.choice(story_ids)
        word = f"zqx{i}q{rng.randrange(10**9)}"
        with transaction.atomic():
            Story.objects.filter(pk=story_id).update(title=f"Renamed {word}")
            story_changed(story_ids=[story_id])
        committed = time.perf_counter()
        while True:
            if search_stories(audience=PUBLIC_AUDIENCE, query=word).total:
                waits.append(time.perf_counter() - committed)
                break
            if time.perf_counter() - committed > 30:
                raise RuntimeError("a change was not searchable after 30 s: is the worker up?")
            time.sleep(0.01)
        time.sleep(rng.uniform(0, UPKEEP_INTERVAL))  # commits fall anywhere in a poll interval
    return waits


def burst(story_ids: list[int], changes: int) -> dict:
    """`changes` commits spread over `story_ids`, with the change log sampled meanwhile."""
    from django.db import connections, transaction

    from stories.changes import story_changed
    from stories.models import StoryChange

    sizes: list[int] = []
    done = threading.Event()

    def sample() -> None:
        try:
            while not done.is_set():
                sizes.append(StoryChange.objects.count())
                time.sleep(0.05)
        finally:
            connections.close_all()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    for n in range(changes):
        with transaction.atomic():
            story_changed(story_ids=[story_ids[n % len(story_ids)]])
    last_commit = time.perf_counter()
    while StoryChange.objects.exists():
        if time.perf_counter() - last_commit > 120:
            break
        time.sleep(0.05)
    emptied = time.perf_counter()
    done.set()
    sampler.join()
    return {
        "stories": len(story_ids),
        "changes": changes,
        "commits_per_s": changes / (last_commit - started),
        "largest_backlog": max(sizes, default=0),
        "left": StoryChange.objects.count(),
        "empty_after_s": emptied - last_commit,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=2000, help="Stories in the corpus.")
    parser.add_argument("--samples", type=int, default=40, help="Changes timed per worker.")
    parser.add_argument("--burst", type=int, default=10_000, help="Changes in each burst.")
    parser.add_argument("--backend", choices=["database", "elasticsearch"], default="database")
    args = parser.parse_args()
    (ROOT / ".cache").mkdir(exist_ok=True)
    where = configure(args.backend)

    from django.db import connection

    from search.backends import get_backend
    from search.services import index_rebuild
    from stories.models import Story, StoryChange
    from stories.visibility import PUBLIC_AUDIENCE

    _search_bench().generate(args.stories, 4)
    StoryChange.objects.all().delete()
    index_rebuild()
    get_backend().refresh()
    public = list(
        Story.objects.visible_to(PUBLIC_AUDIENCE).order_by("pk").values_list("pk", flat=True)
    )
    rng = random.Random(11)
    print(f"database: {where} ({connection.vendor})  backend: {args.backend}  ", end="")
    print(f"cores: {os.cpu_count()}  upkeep interval: {UPKEEP_INTERVAL:.0f} s")
    try:
        waits = {}
        for label, poll_only in (("listening", False), ("polling only", True)):
            with worker(poll_only=poll_only):
                waits[label] = commit_to_searchable(public, args.samples, rng)
        print(f"\ncommit to searchable, {args.samples} changes each (ms):")
        print(f"{'':14}{'listening':>12}{'polling only':>14}{'ratio':>9}")
        for share, name in ((0.5, "p50"), (0.95, "p95"), (1.0, "max")):
            fast = percentile(waits["listening"], share) * 1000
            slow = percentile(waits["polling only"], share) * 1000
            print(f"{name:14}{fast:>12.0f}{slow:>14.0f}{slow / fast:>8.1f}x")
        print(f"\nburst of {args.burst:,} changes, one commit each, worker listening:")
        print(
            f"{'stories':>8}{'commits/s':>11}{'largest backlog':>17}{'rows left':>11}"
            f"{'empty after (s)':>17}"
        )
        with worker(poll_only=False):
            for few_or_many in (public[:20], public[: args.stories]):
                r = burst(few_or_many, args.burst)
                print(
                    f"{r['stories']:>8,}{r['commits_per_s']:>11,.0f}{r['largest_backlog']:>17,}"
                    f"{r['left']:>11,}{r['empty_after_s']:>17.2f}"
                )
        load = os.getloadavg()[0]
        print(f"(load average at the end: {load:.1f} on {os.cpu_count()} cores)", flush=True)
    finally:
        if args.backend == "elasticsearch":
            get_backend().drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
