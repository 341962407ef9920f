"""How fast the curator's dashboard (the desk's queues) and the stories listing are.

    python bench/admin.py [--stories 3000] [--requests 40]

Seeds stories in every state the desk counts (approved with public consent, awaiting review,
consent ending soon, sealed, not kept in the archive, withdrawn tombstones), tag proposals and
failed or stuck transcription jobs, then requests /admin/ and the stories listing as a curator
with Django's test Client and prints the median and 95th percentile latency and the number of
database queries of each, and the desk's counts. Uses the database in DATABASE_URL (migrated
and seeded once; a later run reuses the seed), or else a throwaway SQLite file.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402

SEED_PROJECT = "bench-curator-desk"


def seed(total: int):
    """Stories in bulk across the desk's queues; returns the curator."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from coding.models import Tag, TagStatus
    from stories.models import (
        ConsentRecord,
        Project,
        Story,
        StoryEvent,
        StorytellerProfile,
        Theme,
    )
    from transcribe.models import JobState, TranscriptionJob

    User = get_user_model()
    curator, made = User.objects.get_or_create(
        username="bench-curator", defaults={"is_staff": True}
    )
    if made:
        curator.groups.add(Group.objects.get(name="curator"))
    project, _ = Project.objects.get_or_create(
        slug=SEED_PROJECT, defaults={"name": "Benchmark desk"}
    )
    have = Story.objects.filter(project=project).count()
    if have >= total:
        return curator
    print(f"seeding {total - have} stories…", flush=True)
    now = timezone.now()
    statuses = ["approved", "awaiting_review", "published", "uploaded", "approved", "withdrawn"]
    with transaction.atomic():
        tellers = []
        for number in range(20):
            user, _ = User.objects.get_or_create(username=f"bench-desk-teller-{number}")
            StorytellerProfile.objects.get_or_create(
                user=user, defaults={"display_name": f"Teller {number}"}
            )
            tellers.append(user)
        theme, _ = Theme.objects.get_or_create(name="Bench desk theme")
        stories = Story.objects.bulk_create(
            Story(
                title=f"Desk story {n}",
                slug=f"desk-story-{n}",
                kind="text",
                text_body="A story for the curator's desk benchmark.",
                storyteller=tellers[n % len(tellers)],
                project=project,
                status=statuses[n % len(statuses)],
                published_at=now if statuses[n % len(statuses)] == "published" else None,
            )
            for n in range(have, total)
        )
        consents = []
        for story in stories:
            n = int(story.slug.rsplit("-", 1)[1])
            withdrawn = story.status == "withdrawn"
            if withdrawn:  # the earlier consent that kept it, then the withdrawal
                ConsentRecord.objects.bulk_create(
                    [
                        ConsentRecord(
                            story=story,
                            archive=True,
                            method="written",
                            consent_text_version="bench",
                            given_at=now,
                        )
                    ]
                )
            consents.append(
                ConsentRecord(
                    story=story,
                    archive=not withdrawn and n % 11 != 0,  # some not kept in the archive
                    researchers=not withdrawn,
                    public=not withdrawn and n % 2 == 0,
                    method="written",
                    consent_text_version="bench",
                    given_at=now,
                    withdrawn=withdrawn,
                    expires_at=now + datetime.timedelta(days=10) if n % 9 == 0 else None,
                    sealed_until=(now + datetime.timedelta(days=90)).date()
                    if n % 13 == 0
                    else None,
                )
            )
        consents = ConsentRecord.objects.bulk_create(consents)
        for story, consent in zip(stories, consents, strict=True):
            story.consent = consent
        Story.objects.bulk_update(stories, ["consent"], batch_size=1000)
        StoryEvent.objects.bulk_create(
            StoryEvent(story_id=story.pk, action="consent.withdrawn")
            for story in stories
            if story.status == "withdrawn"
        )
        Tag.objects.bulk_create(
            (
                Tag(story=story, theme=theme, status=TagStatus.PROPOSED)
                for story in stories
                if story.pk % 7 == 0 and story.status != "withdrawn"
            ),
            batch_size=2000,
        )
        TranscriptionJob.objects.bulk_create(
            (
                TranscriptionJob(
                    story=story,
                    state=(JobState.FAILED, JobState.DONE, JobState.QUEUED)[story.pk // 6 % 3],
                    run_after=now - datetime.timedelta(hours=2 * (story.pk // 6 % 3)),
                )
                for story in stories
                if story.status == "uploaded"
            ),
            batch_size=2000,
        )
    return curator


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ANALYZE stories_story, stories_consentrecord, stories_tag, "
                "transcribe_transcriptionjob, stories_storyevent"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def measure(client, name: str, address: str, requests: int) -> None:
    from django.db import connection

    for _ in range(3):  # warm up
        assert client.get(address).status_code == 200, address
    queries: list[int] = []
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        client.get(address)
    timings = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(address)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, address
    timings.sort()
    median = statistics.median(timings) * 1000
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    print(f"{name:<22} median {median:7.1f} ms   p95 {p95:7.1f} ms   {len(queries):3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    where = configure("admin")
    curator = seed(args.stories)
    analyze()
    from django.test import Client
    from django.urls import reverse

    from curation.queues import desk_queues
    from stories.models import Story
    from stories.visibility import audience_for

    print(f"database: {where}; stories: {Story.objects.count()}")
    print(desk_queues(audience_for(curator)))
    client = Client()
    client.force_login(curator)
    measure(client, "dashboard /admin/", "/admin/", args.requests)
    measure(client, "stories listing", reverse("wagtailsnippets_stories_story:list"), args.requests)
    measure(
        client,
        "ready to publish",
        reverse("curation_desk:ready"),
        args.requests,
    )


if __name__ == "__main__":
    main()
