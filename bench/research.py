"""How fast the research charts' aggregate queries answer over a large coded archive.

    DATABASE_URL=postgres://... python bench/research.py [--stories 100000] [--runs 9]

Seeds (bulk, once: a later run reuses and tops up the seed) stories with consent for
researchers, five excerpts each (values and themes on overlapping time ranges, over six years
told), then times each chart's one query as a researcher sees it (best, median and 95th
percentile over `--runs`; the query itself, not the counts the charts keep between visits), and
the whole charts page through Django's test Client, right after a change (nothing kept) and
again (its counts kept until the next change). Uses the
database in DATABASE_URL, or else a throwaway SQLite file.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402

SEED_PROJECT = "bench-research-charts"
EXCERPTS_PER_STORY = 5
BATCH = 5000


def seed(total: int):
    """`total` stories, each with EXCERPTS_PER_STORY accepted excerpts; returns a researcher."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from coding.models import Tag, TagStatus
    from stories.models import ConsentRecord, Project, Story, StorytellerProfile, Theme, Value

    User = get_user_model()
    researcher, made = User.objects.get_or_create(username="bench-researcher")
    if made:
        researcher.groups.add(Group.objects.get(name="researcher"))
    teller, _ = User.objects.get_or_create(username="bench-research-teller")
    StorytellerProfile.objects.get_or_create(user=teller, defaults={"display_name": "Teller"})
    project, _ = Project.objects.get_or_create(
        slug=SEED_PROJECT, defaults={"name": "Benchmark research"}
    )
    have = Story.objects.filter(project=project).count()
    if have >= total:
        return researcher
    print(f"seeding {total - have} stories, {EXCERPTS_PER_STORY} excerpts each…", flush=True)
    values = list(Value.objects.values_list("pk", flat=True))
    themes = [
        Theme.objects.get_or_create(name=f"Bench theme {n}", slug=f"bench-theme-{n}")[0].pk
        for n in range(30)
    ]
    rng = random.Random(have)
    now = timezone.now()
    t0 = time.perf_counter()
    for start in range(have, total, BATCH):
        end = min(total, start + BATCH)
        with transaction.atomic():
            stories = Story.objects.bulk_create(
                Story(
                    title=f"Research story {n}",
                    slug=f"research-story-{n}",
                    kind="audio",
                    storyteller=teller,
                    project=project,
                    language=("en", "cy", "ur")[n % 3],
                    told_on=datetime.date(2019 + n % 6, 1 + n % 12, 1),
                    # a tenth are not open to researchers: the rule must leave them out
                    status="approved" if n % 10 else "awaiting_review",
                )
                for n in range(start, end)
            )
            consents = ConsentRecord.objects.bulk_create(
                ConsentRecord(
                    story=story,
                    archive=True,
                    researchers=True,
                    quotes_allowed=True,
                    method="written",
                    consent_text_version="bench",
                    given_at=now,
                )
                for story in stories
            )
            for story, consent in zip(stories, consents, strict=True):
                story.consent = consent
            Story.objects.bulk_update(stories, ["consent"])
            tags = []
            for story in stories:
                for _ in range(EXCERPTS_PER_STORY):
                    begin = rng.uniform(0, 240)
                    theme = rng.random() < 0.3
                    tags.append(
                        Tag(
                            story=story,
                            value_id=None if theme else rng.choice(values),
                            theme_id=rng.choice(themes) if theme else None,
                            start_seconds=begin,
                            end_seconds=begin + rng.uniform(5, 60),
                            status=TagStatus.ACCEPTED,
                            created_by=teller,
                        )
                    )
            Tag.objects.bulk_create(tags, batch_size=5000)
        print(f"  {end} stories ({time.perf_counter() - t0:.0f} s)", flush=True)
    return researcher


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE stories_story, stories_consentrecord, stories_tag")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def timed(name: str, call: Callable[[], object], runs: int) -> None:
    call()  # warm up
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
    print(
        f"{name:<30} best {timings[0]:8.1f} ms   median {statistics.median(timings):8.1f} ms"
        f"   p95 {p95:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    where = configure("research")
    researcher = seed(args.stories)
    analyze()
    from django.test import Client
    from django.urls import reverse

    from coding.models import Tag
    from research import charts
    from research.charts import ChartFilters
    from stories import pagecache
    from stories.models import Story
    from stories.visibility import audience_for

    audience = audience_for(researcher)
    every = ChartFilters()
    one_year = ChartFilters(years=(2021,))
    print(
        f"database: {where}; stories: {Story.objects.count()}; "
        f"excerpts: {Tag.objects.filter(start_seconds__isnull=False).count()}; "
        f"visible to the researcher: {Story.objects.visible_to(audience).count()}"
    )
    # Each chart's own query, not its counts kept between visits (research.chart_cache).
    frequencies, cooccurrence, over_time = (
        inspect.unwrap(f) for f in (charts.frequencies, charts.cooccurrence, charts.over_time)
    )
    timed("values/themes by frequency", lambda: frequencies(audience, every), args.runs)
    timed("values x values (18x18)", lambda: cooccurrence(audience, every), args.runs)
    timed("themes x values", lambda: cooccurrence(audience, every, "theme_value"), args.runs)
    timed("change over time (values)", lambda: over_time(audience, every), args.runs)
    timed("values x values, one year", lambda: cooccurrence(audience, one_year), args.runs)
    client = Client()
    client.force_login(researcher)
    url = reverse("charts:index")

    def after_a_change() -> object:
        pagecache.purge()  # what any change does: no kept counts
        return client.get(url)

    pages = max(3, args.runs // 3)
    timed("charts page, after a change", after_a_change, pages)
    timed("charts page, counts kept", lambda: client.get(url), pages)


if __name__ == "__main__":
    main()
