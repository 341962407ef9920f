"""How fast the public pages are on a seeded archive of a few thousand stories.

    python bench/pages.py [--stories 3000] [--requests 300]
    python bench/pages.py --http [--stories 3000] [--seconds 10] [--clients 8]

Seeds public stories (a third with timecoded transcripts), tags, a project and a collection.
Uses the database in DATABASE_URL (it is migrated and seeded once; a later run reuses the
seed), or else a throwaway SQLite file.

In process (the default): requests the home, collection and story pages (and the value page
and feed) with Django's test Client, the page cache off, and prints requests per second,
median and 95th percentile latency and the number of database queries per page.

--http: starts the real server (gunicorn with gunicorn.conf.py and the production settings,
static files collected) on a free port, twice: with the page cache and without it. Concurrent
clients (threads, http.client) request /healthz (a plain Django view: the floor), story pages
and the home page for --seconds each; it prints requests per second, median and 95th
percentile latency side by side with the ratios, then times signing in (the POST to
/accounts/login/, Argon2) on the same server. The seeded stories are indexed for search first
(`search_reindex`), which also keeps the related stories that story pages show.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402

SEED_PROJECT = "bench-public-pages"
SENTENCES = [
    "When the bus route was cut my dad stopped going to his appointments.",
    "A neighbour knocked on my door and asked if I would help set out the chairs.",
    "Nobody asked us what we needed at first, then the council came and listened.",
    "We wrote the recipes down together and made a little book.",
    "Trust in services is built by people who listen and come back.",
]


def seed(total: int) -> None:
    """Public stories in bulk (the services are for one story at a time)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from coding.models import Tag
    from public.models import HomeFeaturedCollection, HomePage
    from stories.models import (
        CollectionPage,
        CollectionStory,
        ConsentRecord,
        Project,
        Segment,
        Story,
        StorytellerProfile,
        Theme,
        Transcript,
        Value,
    )

    project, _ = Project.objects.get_or_create(
        slug=SEED_PROJECT, defaults={"name": "Benchmark voices"}
    )
    have = Story.objects.filter(project=project).count()
    if have >= total:
        return
    print(f"seeding {total - have} stories…", flush=True)
    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        tellers = []
        for number in range(20):
            user, _ = User.objects.get_or_create(username=f"bench-teller-{number}")
            StorytellerProfile.objects.get_or_create(
                user=user, defaults={"display_name": f"Teller {number}"}
            )
            tellers.append(user)
        themes = [Theme.objects.get_or_create(name=f"Bench theme {n}")[0] for n in range(12)]
        values = list(Value.objects.all())
        stories = Story.objects.bulk_create(
            Story(
                title=f"Bench story {n}",
                slug=f"bench-story-{n}",
                summary=SENTENCES[n % len(SENTENCES)],
                kind="audio" if n % 3 == 0 else "text",
                text_body="" if n % 3 == 0 else " ".join(SENTENCES) * 4,
                media_duration=60.0 if n % 3 == 0 else None,
                storyteller=tellers[n % len(tellers)],
                project=project,
                status="published",
                published_at=now,
            )
            for n in range(have, total)
        )
        consents = ConsentRecord.objects.bulk_create(
            ConsentRecord(
                story=story,
                archive=True,
                researchers=True,
                public=True,
                quotes_allowed=True,
                attribution="named" if story.pk % 2 else "anonymous",
                method="written",
                consent_text_version="bench",
                given_at=now,
            )
            for story in stories
        )
        for story, consent in zip(stories, consents, strict=True):
            story.consent = consent
        Story.objects.bulk_update(stories, ["consent"], batch_size=1000)
        tags = []
        for story in stories:
            tags.append(Tag(story=story, theme=themes[story.pk % len(themes)]))
            tags.append(Tag(story=story, value=values[story.pk % len(values)]))
            if story.kind == "audio":
                tags.append(
                    Tag(
                        story=story,
                        value=values[(story.pk + 3) % len(values)],
                        start_seconds=12.0,
                        end_seconds=18.0,
                    )
                )
        Tag.objects.bulk_create(tags, batch_size=2000)
        transcripts = Transcript.objects.bulk_create(
            Transcript(story=story, language="en", engine="bench")
            for story in stories
            if story.kind == "audio"
        )
        Segment.objects.bulk_create(
            (
                Segment(
                    transcript=transcript,
                    index=i,
                    start=i * 3.0,
                    end=i * 3.0 + 2.8,
                    text=SENTENCES[i % len(SENTENCES)],
                )
                for transcript in transcripts
                for i in range(20)
            ),
            batch_size=5000,
        )
        home = HomePage.objects.get()
        page = CollectionPage.objects.filter(slug=SEED_PROJECT).first()
        if page is None:
            page = CollectionPage(title="Benchmark collection", slug=SEED_PROJECT, project=project)
            home.add_child(instance=page)
            for order, story in enumerate(stories[:24]):
                CollectionStory.objects.create(page=page, story=story, sort_order=order)
            page.save_revision().publish()
            HomeFeaturedCollection.objects.get_or_create(page=home, collection=page)


def analyze() -> None:
    """Fresh statistics after a bulk load, as autovacuum would gather in a running archive."""
    from django.db import connection

    if connection.vendor == "postgresql":
        tables = ["stories_story", "stories_consentrecord", "stories_tag", "transcribe_segment"]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client, name: str, addresses: list[str], requests: int) -> None:
    from django.db import connection

    for address in addresses[:5]:  # warm up: templates compiled, caches filled
        assert client.get(address).status_code == 200, address
    queries = []
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        client.get(addresses[0])
    timings = []
    started = time.perf_counter()
    for n in range(requests):
        address = addresses[n % len(addresses)]
        t0 = time.perf_counter()
        response = client.get(address)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, address
    elapsed = time.perf_counter() - started
    timings.sort()
    median = statistics.median(timings) * 1000
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    print(
        f"{name:<12} {requests / elapsed:8.1f} req/s   median {median:6.1f} ms"
        f"   p95 {p95:6.1f} ms   {len(queries):3d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--http", action="store_true", help="through gunicorn, over HTTP")
    parser.add_argument("--seconds", type=float, default=10.0, help="--http: per measurement")
    parser.add_argument("--clients", type=int, default=8, help="--http: concurrent clients")
    args = parser.parse_args()
    if args.http:
        from bench.pages_http import main as http_main

        http_main(args)
        return
    os.environ.setdefault("ARCHIVE_PAGE_CACHE_SECONDS", "0")  # rendering, not the page cache
    where = configure("pages")
    seed(args.stories)
    analyze()

    from django.test import Client

    from public import links
    from stories.models import CollectionPage, Story, Value
    from stories.visibility import PUBLIC_AUDIENCE

    public = Story.objects.visible_to(PUBLIC_AUDIENCE)
    print(f"database: {where}; public stories: {public.count()}; {args.requests} requests a page")
    client = Client()
    audio = [links.story_url(s) for s in public.filter(kind="audio").order_by("?")[:50]]
    text = [links.story_url(s) for s in public.filter(kind="text").order_by("?")[:50]]
    collection = CollectionPage.objects.live().get(slug=SEED_PROJECT)
    value = Value.objects.order_by("number").first()
    measure(client, "home", ["/"], args.requests)
    measure(client, "collection", [collection.url], args.requests)
    measure(client, "story audio", audio, args.requests)
    measure(client, "story text", text, args.requests)
    measure(client, "value", [links.value_url(value)], args.requests)
    measure(client, "rss feed", ["/feeds/stories.rss"], args.requests)


if __name__ == "__main__":
    main()
