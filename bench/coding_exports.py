"""How fast the coded-excerpt exports stream, and that their memory stays flat.

    python bench/coding_exports.py [--stories 2000] [--tags 5]

Seeds stories (half text, half audio with a 40-segment transcript), each with `--tags`
accepted excerpt tags, then runs the CSV, JSON and REFI-QDA (.qdpx) exports as a curator would
(through the visibility rule) and prints, for each, the time, the size, stories per second and
the peak of Python memory allocated while streaming (tracemalloc, which slows the run down). It
runs half the size, then the full size, to show the peak does not grow with the number of
stories. Uses the database in DATABASE_URL (the seed is kept and reused), or else a throwaway
SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402

SEED_PROJECT = "bench-coding-exports-{total}"  # one project per size
SENTENCES = [
    "When the bus route was cut my dad stopped going to his appointments.",
    "A neighbour knocked on my door and asked if I would help set out the chairs.",
    "Nobody asked us what we needed at first, then the council came and listened.",
    "We wrote the recipes down together and made a little book.",
]


def seed(total: int, tags_per_story: int):
    """Stories, transcripts and tags in bulk (the services are for one change at a time)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from coding.models import Tag
    from stories.models import ConsentRecord, Project, Segment, Story, Transcript, Value

    slug = SEED_PROJECT.format(total=total)
    project, _ = Project.objects.get_or_create(slug=slug, defaults={"name": slug})
    have = Story.objects.filter(project=project).count()
    if have >= total:
        return project
    User = get_user_model()
    teller, _ = User.objects.get_or_create(username="bench-teller")
    coder, _ = User.objects.get_or_create(username="bench-coder")
    values = list(Value.objects.order_by("number"))
    now = timezone.now()
    with transaction.atomic():
        for i in range(have, total):
            audio = i % 2 == 1
            text = " ".join(SENTENCES[(i + k) % 4] for k in range(12))
            story = Story.objects.create(
                title=f"Bench story {i}",
                kind="audio" if audio else "text",
                text_body="" if audio else text,
                storyteller=teller,
                project=project,
                status="approved",
            )
            consent = ConsentRecord.objects.create(
                story=story,
                archive=True,
                researchers=True,
                quotes_allowed=True,
                method="written",
                consent_text_version="bench",
                given_at=now,
            )
            Story.objects.filter(pk=story.pk).update(consent=consent)
            tags = []
            if audio:
                transcript = Transcript.objects.create(story=story, language="en")
                Segment.objects.bulk_create(
                    Segment(
                        transcript=transcript,
                        index=k,
                        start=k * 5.0,
                        end=k * 5.0 + 5.0,
                        text=SENTENCES[(i + k) % 4],
                    )
                    for k in range(40)
                )
                for t in range(tags_per_story):
                    start = (t * 7 % 38) * 5.0
                    tags.append(
                        Tag(
                            story=story,
                            value=values[(i + t) % 18],
                            start_seconds=start,
                            end_seconds=start + 10.0,
                            created_by=coder,
                            memo="Bench memo.",
                        )
                    )
            else:
                for t in range(tags_per_story):
                    start = (t * 37) % (len(text) - 60)
                    tags.append(
                        Tag(
                            story=story,
                            value=values[(i + t) % 18],
                            char_start=start,
                            char_end=start + 50,
                            created_by=coder,
                        )
                    )
            Tag.objects.bulk_create(tags)
    return project


def run(name: str, stream) -> tuple[float, int, int]:
    tracemalloc.start()
    started = time.perf_counter()
    size = 0
    for chunk in stream:
        size += len(chunk)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--tags", type=int, default=5)
    args = parser.parse_args()
    where = configure("coding")

    from coding.exports import (
        ExportFilter,
        excerpts_csv_stream,
        excerpts_json_stream,
        project_qdpx_stream,
    )
    from stories.visibility import CURATOR, Audience

    audience = Audience(user_id=-1, roles=frozenset({CURATOR}))
    print(f"database: {where}")
    for total in (args.stories // 2, args.stories):
        project = seed(total, args.tags)
        filters = ExportFilter(project_id=project.pk)
        stories = project.stories.count()
        print(f"\n{stories} stories, {args.tags} tags each")
        print(f"{'export':<8}{'seconds':>10}{'MB':>10}{'stories/s':>12}{'peak MB':>10}")
        for name, stream in (
            ("csv", excerpts_csv_stream(audience, filters)),
            ("json", excerpts_json_stream(audience, filters)),
            ("qdpx", project_qdpx_stream(audience, filters)),
        ):
            elapsed, size, peak = run(name, stream)
            print(
                f"{name:<8}{elapsed:>10.2f}{size / 1e6:>10.2f}{stories / elapsed:>12.0f}"
                f"{peak / 1e6:>10.2f}"
            )


if __name__ == "__main__":
    main()
