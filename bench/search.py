"""Search at scale: Elasticsearch, the embedded full-text search and its LIKE baseline.

    python bench/search.py                        # 10k stories
    python bench/search.py --sizes 10000 100000   # also 100k (long on 2 cores)
    python bench/search.py --with-100k            # the same as the line above
    python bench/search.py --meaning              # words only and hybrid, with vectors
    python bench/search.py --meaning --quality    # and the judged questions' nDCG@10, recall@20

For each corpus size it generates a synthetic archive (stories with timecoded transcript
segments, themes with synonyms, co-production values, tags on excerpts, consent of every kind,
projects, collections, years, languages), builds both indexes the way `search_reindex` does,
and runs a set of themed queries (words, theme names and synonyms, filters, date order,
suggestions) as a researcher and as the public. It prints indexing throughput (documents per
second) and query latency (p50, p95) per backend side by side, with ratios: Elasticsearch,
the database backend on the database's full-text engine (FTS5 on SQLite, tsvector + GIN on
PostgreSQL) and the same tables matched with LIKE on stems (the match before full-text search,
with the trigram index it had on PostgreSQL, created for that run only).

With `--meaning` every passage also has a vector (search by meaning, fused with the words):
each backend is indexed with its vectors (the indexing rate is then "with vectors") and every
query is asked twice, words only and hybrid, side by side. Running the model on every passage
would take hours at 100k stories on two cores, so only a pool of sentences of each theme is
embedded by the real model (which gives its cost in ms per passage and per query) and each
passage's vector is one of its themes' pool vectors with noise added (cosine about 0.9 to
it): vectors of the model's own space and spread, for the kNN index to search, stored as the
archive stores them (search.models.PassageVector), so indexing embeds nothing.

It needs Elasticsearch (ELASTICSEARCH_URL, e.g. `scripts/elasticsearch.sh url`). The corpus
goes into a database of its own: with a PostgreSQL DATABASE_URL, `<name>_bench_search` on the
same server (created when missing); otherwise a SQLite file under .cache/. Its indices use the
prefix SEARCH_INDEX_PREFIX (default `bench`) and are deleted at the end. A later run with the
same size reuses the corpus. With `--keep` the Elasticsearch index stays after the run, and a
later `--keep` run of the same size searches it without indexing again (its indexing rate is
then not measured): for trying query changes against 100k stories.

With `--quality` it then asks the judged questions of bench/search_quality.py (themed, in plain
words, paraphrased and in Spanish, over a seeded archive of judged stories) with words only,
meaning only and both fused, on each backend, and prints nDCG@10 and recall@20 beside the
timings. That archive is small and seeded afresh: it lives in a throwaway SQLite file.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THEMES = {
    "Isolation": (["loneliness", "cut off"], "alone lonely isolated nobody quiet empty days weeks"),
    "Shielding": (["staying home", "vulnerable"], "shielding letter indoors window risk protect"),
    "Trust in services": (
        ["confidence in services", "distrust"],
        "council doctor appointment listened promised forms waited phone",
    ),
    "Food": (["food bank", "hunger"], "food bank parcel cooking meals hungry kitchen recipes"),
    "Transport": (["buses", "getting around"], "bus route stop driver timetable taxi walk"),
    "Housing": (["home", "tenancy"], "flat landlord repairs damp rent moved housing"),
    "Digital exclusion": (["online", "internet"], "internet laptop online zoom signal data"),
    "Mental health": (["wellbeing", "anxiety"], "anxious worry sleep counsellor calm panic"),
    "Work": (["jobs", "employment"], "job shift wages furlough boss hours work"),
    "Family": (["children", "parents"], "mum dad kids grandchildren school family"),
    "Community": (["neighbours", "mutual aid"], "neighbours volunteers street group garden hall"),
    "Health": (["illness", "hospital"], "hospital ward nurse medicine illness recovery"),
}
_COMMON = (
    "i we they it was were had went said thought knew felt came back then after before "
    "really just always never sometimes together again still because remember time year "
    "morning evening people everyone someone place road town week month little big good "
    "hard long first last change help asked told started stopped kept made found lost "
    "talked listened waited walked called open closed new old way life day night friends"
)
COMMON = _COMMON.split()
QUERIES = [
    ("isolation", {}),
    ("loneliness", {}),
    ("trust in services", {}),
    ("buses stopped", {}),
    ("food bank volunteers", {}),
    ("staying home", {}),
    ("anxiety sleep", {}),
    ("neighbours garden", {"kind": ["audio"]}),
    ("", {"theme": ["housing"]}),
    ("hospital", {"year": ["2021"]}),
    ("digital exclusion internet", {}),
    ("work", {"sort": "newest"}),
]
SUGGEST = ["lo", "tru", "the bus", "foo"]


def configure() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, name = url.rpartition("/")
        name = name.split("?")[0]
        bench_url = f"{base}/{name}_bench_search"
        _create_pg_database(f"{base}/postgres", f"{name}_bench_search")
    else:
        (ROOT / ".cache").mkdir(exist_ok=True)
        bench_url = f"sqlite:///{ROOT / '.cache' / 'bench-search.sqlite3'}"
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.base")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "bench")
    os.environ.setdefault("SEARCH_ES_TIMEOUT", "120")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Words at scale unless --meaning (which brings its own vectors: see make_vectors); the
    # quality of search by meaning is measured by bench/search_quality.py.
    os.environ["SEARCH_MEANING"] = "true" if "--meaning" in sys.argv else "false"
    if not os.environ.get("ELASTICSEARCH_URL"):
        sys.exit(
            "ELASTICSEARCH_URL is not set: start Elasticsearch (scripts/elasticsearch.sh start) "
            "and set ELASTICSEARCH_URL=$(scripts/elasticsearch.sh url)."
        )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return bench_url.split("@")[-1]


def _create_pg_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def sentence(rng: random.Random, theme_words: list[str]) -> str:
    n = rng.randint(10, 22)
    words = [
        rng.choice(theme_words) if theme_words and rng.random() < 0.3 else rng.choice(COMMON)
        for _ in range(n)
    ]
    return " ".join(words).capitalize() + "."


def generate(total: int, segments: int, seed: int = 7) -> None:
    """A synthetic archive of `total` stories (replaces a corpus of another size)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from coding.models import Tag
    from public.models import HomePage
    from stories.models import (
        CollectionPage,
        CollectionStory,
        ConsentRecord,
        Project,
        ProjectMembership,
        Segment,
        Story,
        Theme,
        ThemeSynonym,
        Transcript,
        Value,
    )

    if Story.objects.count() == total:
        return
    print(f"generating {total:,} stories with {segments} segments each …", flush=True)
    started = time.monotonic()
    rng = random.Random(seed)
    User = get_user_model()
    with transaction.atomic():
        Story.objects.all().delete()
        for model in (Theme, Project, CollectionPage):
            model.objects.all().delete()
        User.objects.filter(username__startswith="bench-").delete()
        tellers = User.objects.bulk_create(User(username=f"bench-teller-{i}") for i in range(200))
        researcher = User.objects.create(username="bench-researcher")
        researcher.groups.add(Group.objects.get(name="researcher"))
        projects = Project.objects.bulk_create(
            Project(name=f"Project {i}", slug=f"bench-project-{i}") for i in range(20)
        )
        ProjectMembership.objects.create(project=projects[0], user=researcher)
        themes = {}
        for name, (synonyms, _words) in THEMES.items():
            theme = Theme.objects.create(name=name)
            for synonym in synonyms:
                ThemeSynonym.objects.create(theme=theme, name=synonym)
            themes[name] = theme
        values = list(Value.objects.all())
        home = HomePage.objects.first()
        collections = []
        if home is not None:
            for i in range(3):
                collections.append(
                    home.add_child(
                        instance=CollectionPage(title=f"Bench collection {i}", slug=f"bench-{i}")
                    )
                )
    now = timezone.now()
    names = list(THEMES)
    batch = 2000
    for offset in range(0, total, batch):
        with transaction.atomic():
            plans = []
            stories = []
            for i in range(offset, min(total, offset + batch)):
                story_themes = rng.sample(names, rng.randint(1, 3))
                kind = rng.choices(["audio", "video", "text"], [6, 1, 3])[0]
                roll = rng.random()
                status, public = (
                    ("published", True)
                    if roll < 0.6
                    else ("approved", False)
                    if roll < 0.85
                    else (rng.choice(["draft", "awaiting_review"]), False)
                )
                words = " ".join(THEMES[t][1] for t in story_themes).split()
                lines = [sentence(rng, words) for _ in range(segments)]
                title = " ".join(rng.sample(words, 2)).capitalize() + f" {i}"
                stories.append(
                    Story(
                        title=title,
                        slug=f"bench-{i}",
                        summary=sentence(rng, words),
                        kind=kind,
                        text_body=" ".join(lines) if kind == "text" else "",
                        language=rng.choices(["en", "es", "cy"], [90, 7, 3])[0],
                        storyteller=rng.choice(tellers),
                        project=rng.choice(projects),
                        status=status,
                        told_on=datetime.date(rng.randint(2015, 2025), rng.randint(1, 12), 1),
                        published_at=now if status == "published" else None,
                    )
                )
                plans.append((story_themes, lines, public, kind))
            Story.objects.bulk_create(stories, batch_size=1000)
            consents = ConsentRecord.objects.bulk_create(
                [
                    ConsentRecord(
                        story=s,
                        archive=True,
                        researchers=True,
                        public=public,
                        quotes_allowed=rng.random() < 0.8,
                        method="written",
                        consent_text_version="bench",
                        given_at=now,
                    )
                    for s, (_t, _l, public, _k) in zip(stories, plans, strict=True)
                ],
                batch_size=1000,
            )
            for story, consent in zip(stories, consents, strict=True):
                story.consent = consent
            Story.objects.bulk_update(stories, ["consent"], batch_size=1000)
            audio = [(s, p) for s, p in zip(stories, plans, strict=True) if p[3] != "text"]
            transcripts = Transcript.objects.bulk_create(
                [Transcript(story=s, language="en", engine="bench") for s, _ in audio],
                batch_size=1000,
            )
            Segment.objects.bulk_create(
                (
                    Segment(transcript=t, index=j, start=j * 8.0, end=j * 8.0 + 7.5, text=line)
                    for t, (_s, plan) in zip(transcripts, audio, strict=True)
                    for j, line in enumerate(plan[1])
                ),
                batch_size=5000,
            )
            tags = []
            for story, (story_themes, _lines, _public, kind) in zip(stories, plans, strict=True):
                for name in story_themes:
                    at = rng.randint(0, segments - 1) * 8.0
                    tags.append(
                        Tag(
                            story=story,
                            theme=themes[name],
                            start_seconds=at if kind != "text" else None,
                            end_seconds=at + 7.5 if kind != "text" else None,
                        )
                    )
                for value in rng.sample(values, rng.randint(1, 3)):
                    tags.append(Tag(story=story, value=value))
            Tag.objects.bulk_create(tags, batch_size=5000)
            if collections:
                CollectionStory.objects.bulk_create(
                    CollectionStory(page=rng.choice(collections), story=s)
                    for s in stories
                    if rng.random() < 0.05
                )
        print(f"  {min(total, offset + batch):,}/{total:,}", end="\r", flush=True)
    print(f"generated in {time.monotonic() - started:.0f} s" + " " * 20, flush=True)


POOL_PER_THEME = 40
NOISE = 0.5  # the noise vector's length against a unit pool vector: cosine about 0.9


def make_vectors(seed: int = 11) -> dict[str, float]:
    """Every passage's vector, kept as the archive keeps them (see the module's docstring);
    returns what the real model cost: ms per passage (batches of 64) and per query."""
    import numpy as np
    from django.db import connection, transaction

    from search import embeddings
    from search.documents import build_docs, iter_all_story_ids
    from search.models import PassageVector
    from search.progress import Progress
    from search.vectors import windows
    from stories.models import Story, Theme

    rng = random.Random(seed)
    pool_texts = {
        name: [sentence(rng, words.split()) for _ in range(POOL_PER_THEME)]
        for name, (_synonyms, words) in THEMES.items()
    }
    texts = [t for group in pool_texts.values() for t in group]
    embeddings.passages(texts[:2])  # the model loaded, not timed
    started = time.perf_counter()
    made = embeddings.passages(texts)
    per_passage = (time.perf_counter() - started) * 1000 / len(texts)
    started = time.perf_counter()
    for text, _options in QUERIES:
        embeddings.query.__wrapped__(text or "stories")
    per_query = (time.perf_counter() - started) * 1000 / len(QUERIES)
    cost = {"ms per passage": per_passage, "ms per query": per_query}
    if PassageVector.objects.filter(model=embeddings.MODEL).exists():
        return cost  # this corpus has them from an earlier run
    pool = {
        name: made[i * POOL_PER_THEME : (i + 1) * POOL_PER_THEME]
        for i, name in enumerate(pool_texts)
    }
    theme_names = dict(Theme.objects.values_list("pk", "name"))
    noise = np.random.default_rng(seed)
    total = Story.objects.exclude(status="withdrawn").count()
    progress = Progress(total, "  passage vectors")
    for ids in iter_all_story_ids(1000):
        docs, _gone = build_docs(ids)
        rows = []
        for doc in docs:
            own = [pool[theme_names[t]] for t in doc.theme_ids] or list(pool.values())
            plan = windows(doc)
            near = np.stack(
                [own[rng.randrange(len(own))][rng.randrange(POOL_PER_THEME)] for _ in plan]
            )
            near += noise.normal(0, NOISE / np.sqrt(embeddings.DIM), near.shape)
            near /= np.linalg.norm(near, axis=1, keepdims=True)
            for (_first, text), vector in zip(plan, near, strict=True):
                rows.append((doc.story_id, embeddings.key(text), embeddings.to_bytes(vector)))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                table = PassageVector._meta.db_table
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        f"COPY {table} (story_id, key, model, vector) FROM STDIN"
                    ) as copy,
                ):
                    for story_id, key, vector in rows:
                        copy.write_row((story_id, key, embeddings.MODEL, vector))
            else:
                PassageVector.objects.bulk_create(
                    PassageVector(story_id=i, key=k, model=embeddings.MODEL, vector=v)
                    for i, k, v in rows
                )
        progress(len(ids))
    progress.finish()
    return cost


def measure_indexing(backend, total: int) -> float:
    from django.conf import settings

    from search.documents import build_docs, iter_all_story_ids
    from search.progress import Progress
    from search.services import build_indexable

    progress = Progress(total, f"  indexing into {backend.name}")
    build = build_indexable if settings.SEARCH_MEANING else build_docs
    started = time.monotonic()
    backend.rebuild(iter_all_story_ids(500), build, progress=progress)
    progress.finish()
    backend.refresh()
    return total / (time.monotonic() - started)


BACKENDS = ("elasticsearch", "database", "database-like")
LABELS = {
    "elasticsearch": "elasticsearch",
    "elasticsearch+meaning": "ES hybrid",
    "database": "database FTS",
    "database+meaning": "database hybrid",
    "database-like": "LIKE",
}
COLUMNS = tuple(LABELS)


def es_holds() -> bool:
    """Whether the bench index (kept by an earlier --keep run) holds this corpus's stories."""
    from elasticsearch import NotFoundError

    from search.documents import iter_all_story_ids

    backend = backend_named("elasticsearch")
    try:
        held = backend.client.count(index=backend.alias)["count"]
    except NotFoundError:
        return False
    return held > 0 and held == sum(len(ids) for ids in iter_all_story_ids(10_000))


def backend_named(name: str):
    from search.backends import get_backend
    from search.backends.database import LikeDatabaseBackend

    return LikeDatabaseBackend() if name == "database-like" else get_backend(name)


def trigram_index(create: bool) -> None:
    """The LIKE baseline as it ran before full-text search: with its trigram index (PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if create:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS bench_indexedstory_terms_trgm "
                "ON archive_search_indexedstory USING gin (terms gin_trgm_ops)"
            )
            cursor.execute("ANALYZE archive_search_indexedstory")
        else:
            cursor.execute("DROP INDEX IF EXISTS bench_indexedstory_terms_trgm")


def measure_queries(
    backend_name: str, rounds: int, match: str = "words"
) -> tuple[list[float], list[float]]:
    """Latency of whole search_stories/suggest calls, and of the backend's query alone."""
    from django.contrib.auth import get_user_model

    from search import api
    from search.api import search_stories, suggest
    from search.types import SearchFilters
    from stories.visibility import PUBLIC_AUDIENCE, audience_for

    researcher = audience_for(get_user_model().objects.get(username="bench-researcher"))
    timings: list[float] = []
    backend_timings: list[float] = []
    backend = backend_named(backend_name)
    plain_search = backend.search

    def timed_search(**kwargs):
        started = time.perf_counter()
        try:
            return plain_search(**kwargs)
        finally:
            backend_timings.append(time.perf_counter() - started)

    backend.search = timed_search
    chosen = api.get_backend
    api.get_backend = lambda name=None: backend  # the one backend measured, for every call
    try:
        for round_ in range(rounds + 1):  # the first round warms caches, not counted
            if round_ == 1:
                timings.clear()
                backend_timings.clear()
            for audience in (researcher, PUBLIC_AUDIENCE):
                for text, options in QUERIES:
                    options = dict(options)
                    sort = options.pop("sort", "relevance")
                    filters = SearchFilters.from_mapping(options)
                    started = time.perf_counter()
                    search_stories(
                        audience=audience, query=text, filters=filters, sort=sort, match=match
                    )
                    timings.append(time.perf_counter() - started)
                for prefix in SUGGEST:
                    started = time.perf_counter()
                    suggest(audience=audience, prefix=prefix)
                    timings.append(time.perf_counter() - started)
    finally:
        api.get_backend = chosen
    return timings, backend_timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--with-100k", action="store_true", help="Add a 100,000-story corpus.")
    parser.add_argument("--segments", type=int, default=12, help="Transcript segments a story.")
    parser.add_argument("--rounds", type=int, default=5, help="Timed rounds of the query set.")
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="Which to run."
    )
    parser.add_argument(
        "--meaning", action="store_true", help="Vectors too: words only and hybrid side by side."
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the Elasticsearch index; reuse one that holds this corpus (no indexing).",
    )
    parser.add_argument(
        "--quality",
        action="store_true",
        help="Then the judged questions: nDCG@10 and recall@20, words, meaning and both.",
    )
    args = parser.parse_args()
    # The judged archive is seeded afresh, so it never shares the corpus's database.
    quality_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    sizes = sorted(set(args.sizes + ([100_000] if args.with_100k else [])))
    where = configure()

    from django.conf import settings
    from django.db import connection

    from stories.models import Segment, Story

    print(
        f"database: {where} ({connection.vendor})  elasticsearch: {settings.ELASTICSEARCH_URL}  "
        f"cores: {os.cpu_count()}"
    )
    print(f"queries: {len(QUERIES)} searches + {len(SUGGEST)} suggestions, as a researcher and as")
    print(f"the public, {args.rounds} timed rounds after one warm-up round\n")
    try:
        for size in sizes:
            generate(size, args.segments)
            stories, segments = Story.objects.count(), Segment.objects.count()
            result: dict = {"size": size, "segments": segments}
            if args.meaning:
                result["cost"] = make_vectors()
            for name in args.backends:
                if name == "database-like":
                    # The same tables as the database backend: indexed once, matched otherwise.
                    docs_per_s = result.get("database", {}).get("docs_per_s")
                    if docs_per_s is None:
                        docs_per_s = measure_indexing(backend_named("database"), stories)
                    trigram_index(True)
                elif name == "elasticsearch" and args.keep and es_holds():
                    docs_per_s = float("nan")  # searched as kept by an earlier --keep run
                else:
                    docs_per_s = measure_indexing(backend_named(name), stories)
                matches = ["words", "both"] if args.meaning and name != "database-like" else []
                try:
                    for match in matches or ["words"]:
                        timings, backend_timings = measure_queries(name, args.rounds, match)
                        column = f"{name}+meaning" if match == "both" else name
                        result[column] = {
                            "docs_per_s": docs_per_s,
                            "p50": percentile(timings, 0.5) * 1000,
                            "p95": percentile(timings, 0.95) * 1000,
                            "mean": statistics.fmean(timings) * 1000,
                            "backend p50": percentile(backend_timings, 0.5) * 1000,
                            "backend p95": percentile(backend_timings, 0.95) * 1000,
                        }
                finally:
                    trigram_index(False)
            report(result, [n for n in COLUMNS if n in result])
    finally:
        if "elasticsearch" in args.backends and not args.keep:
            backend_named("elasticsearch").drop()
    if args.quality:
        print("\n== judged questions (bench/search_quality.py) ==", flush=True)
        quality = [sys.executable, str(ROOT / "bench" / "search_quality.py")]
        return subprocess.run(quality, env=quality_env, check=False).returncode
    return 0


def report(r: dict, names: list[str]) -> None:
    print(f"\n== {r['size']:,} stories, {r['segments']:,} transcript segments ==")
    print(f"{'':24}" + "".join(f"{LABELS[n]:>16}" for n in names), end="")
    fts, like, es = (r.get(n) for n in ("database", "database-like", "elasticsearch"))
    ratios = []
    if fts and like:
        ratios.append(("LIKE/FTS", like, fts))
    if fts and es:
        ratios.append(("FTS/ES", fts, es))
    for plain in ("database", "elasticsearch"):
        if r.get(plain) and r.get(f"{plain}+meaning"):
            label = "hybrid/words" + (" ES" if plain == "elasticsearch" else " DB")
            ratios.append((label, r[f"{plain}+meaning"], r[plain]))
    print("".join(f"{label:>16}" for label, _, _ in ratios))
    rates = [r[n]["docs_per_s"] for n in names]
    shown = ["(kept)" if math.isnan(rate) else f"{rate:,.0f}" for rate in rates]
    print(f"{'indexing (docs/s)':24}" + "".join(f"{rate:>16}" for rate in shown))
    for key in ("p50", "p95", "mean", "backend p50", "backend p95"):
        print(
            f"{'query ' + key + ' (ms)':24}"
            + "".join(f"{r[n][key]:>16.1f}" for n in names)
            + "".join(f"{a[key] / b[key]:>15.1f}x" for _, a, b in ratios)
        )
    if "cost" in r:
        cost = r["cost"]
        print(
            f"(with vectors: indexing includes them; the real model took "
            f"{cost['ms per passage']:.1f} ms a passage and {cost['ms per query']:.1f} ms a query)"
        )
    print("(ratios: how many times slower the first is than the second; 'query' is the whole")
    print("search_stories or suggest call, 'backend' the backend's search alone, without loading")
    print("stories; LIKE shares the database backend's tables, so its indexing is the same)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average during the run: {load:.1f} on {os.cpu_count()} cores)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
