"""How fast the research search finds coded excerpts over a large coded archive.

    DATABASE_URL=postgres://... python bench/excerpts.py [--stories 20000] [--runs 7]

Seeds (as bench/research.py, whose seed it shares and tops up) stories with five excerpts each,
gives each story a transcript of eight segments (a rare word in one story in a hundred), then
times one page of excerpts (`coding.finds.find_excerpts`: count, page and words) as a
researcher sees them, for no query, a value's name, a common word and a rare word, and the CSV
of every excerpt a rare word finds. Uses the database in DATABASE_URL, or a throwaway SQLite.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import configure  # noqa: E402

WORDS = [
    "we",
    "met",
    "in",
    "the",
    "hall",
    "and",
    "talked",
    "about",
    "the",
    "plan",
    "for",
    "the",
    "town",
    "together",
]
RARE = "allotment"


def add_transcripts() -> None:
    """A transcript of eight 30-second segments for each seeded story that has none."""
    from django.db import transaction

    from bench.research import SEED_PROJECT
    from stories.models import Segment, Story, Transcript

    rng = random.Random(7)
    todo = list(
        Story.objects.filter(project__slug=SEED_PROJECT, transcript__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not todo:
        return
    print(f"adding transcripts to {len(todo)} stories…", flush=True)
    for start in range(0, len(todo), 5000):
        with transaction.atomic():
            chunk = todo[start : start + 5000]
            transcripts = Transcript.objects.bulk_create(
                Transcript(story_id=pk, language="en", engine="bench") for pk in chunk
            )
            segments = []
            for transcript in transcripts:
                rare = transcript.story_id % 100 == 0
                for i in range(8):
                    words = rng.choices(WORDS, k=12)
                    if rare and i == 3:
                        words[5] = RARE
                    segments.append(
                        Segment(
                            transcript=transcript,
                            index=i,
                            start=i * 30.0,
                            end=(i + 1) * 30.0,
                            text=" ".join(words),
                        )
                    )
            Segment.objects.bulk_create(segments, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    where = configure("excerpts")
    from bench.research import analyze, seed, timed
    from coding import finds
    from coding.exports import ExportFilter, excerpts_csv_stream
    from stories.models import Value
    from stories.visibility import audience_for

    researcher = seed(args.stories)
    add_transcripts()
    analyze()
    audience = audience_for(researcher)
    value = Value.objects.order_by("number").first()
    assert value is not None
    print(f"database: {where}; {args.stories} stories, 5 excerpts each; one page of 20")
    for label, query in [
        ("no query (every excerpt)", ""),
        (f"a value's name ({value.name[:12]}…)", value.name),
        ("a common word (hall)", "hall"),
        (f"a rare word ({RARE})", RARE),
    ]:
        _, total = finds.find_excerpts(audience, query)
        timed(f"{label} [{total}]", lambda q=query: finds.find_excerpts(audience, q), args.runs)
    ids = finds.excerpt_matches(audience, RARE).values("pk")
    t0 = time.perf_counter()
    rows = sum(1 for _ in excerpts_csv_stream(audience, ExportFilter(tag_ids=ids)))
    print(f"CSV of the rare word's excerpts: {rows} lines in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
