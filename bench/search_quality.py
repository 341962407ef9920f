"""Search quality with judged answers: words only, meaning only and both fused, per backend.

    python bench/search_quality.py

Seeds the judged archive of bench/judged_corpus.py (72 stories, 12 themes, English and
Spanish), indexes it on the database backend and, when ELASTICSEARCH_URL is set, on
Elasticsearch, and asks its 48 questions (plain words, paraphrases, Spanish) as the public with
each way of matching. Prints nDCG@10 and recall@20 overall and by kind of question, the
ratio of both-fused to words-only, query latency p50/p95, and what embedding costs (ms per
passage and per query). A throwaway SQLite database unless DATABASE_URL is set; the
Elasticsearch index uses the prefix `bench-quality` and is deleted at the end.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import configure
from bench.judged_corpus import THEMES, questions, stories

MODES = ("words", "meaning", "both")


def seed() -> dict[int, str]:
    """The stories, published with public consent; story id -> theme."""
    from django.contrib.auth import get_user_model

    from stories import services
    from stories.models import ConsentMethod, Project

    teller = get_user_model().objects.create_user("quality-teller")
    project = Project.objects.create(name="Judged", slug="judged")
    themes = {}
    for n, (theme, language, text) in enumerate(stories()):
        story = services.story_create(
            storyteller=teller, title=f"Story {n}", kind="text", text_body=text, project=project
        )
        story.language = language
        story.save(update_fields=["language"])
        services.consent_record(
            story=story,
            actor=teller,
            method=ConsentMethod.WRITTEN,
            archive=True,
            researchers=True,
            public=True,
            quotes_allowed=True,
        )
        for target in ("awaiting_review", "approved", "published"):
            services.story_transition(story=story, target=target, actor=teller)
        themes[story.pk] = theme
    return themes


def ndcg_at(ranked: list[int], relevant: set[int], k: int = 10) -> float:
    gain = sum(1 / math.log2(i + 2) for i, sid in enumerate(ranked[:k]) if sid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def recall_at(ranked: list[int], relevant: set[int], k: int = 20) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def measure(backend: str, themes: dict[int, str]) -> dict[str, dict]:
    from django.test import override_settings

    from search.api import search_stories
    from search.services import index_rebuild
    from stories.visibility import PUBLIC_AUDIENCE

    found: dict[str, dict] = {}
    with override_settings(SEARCH_BACKEND=backend):
        index_rebuild()
        for mode in MODES:
            scores: dict[str, list[tuple[float, float]]] = {}
            took = []
            for theme, kind, question in questions():
                relevant = {sid for sid, t in themes.items() if t == theme}
                start = time.perf_counter()
                results = search_stories(
                    audience=PUBLIC_AUDIENCE, query=question, per_page=20, match=mode
                )
                took.append((time.perf_counter() - start) * 1000)
                ranked = [h.story.pk for h in results.hits]
                scores.setdefault(kind, []).append(
                    (ndcg_at(ranked, relevant), recall_at(ranked, relevant))
                )
            every = [s for kind in scores.values() for s in kind]
            found[mode] = {
                "ndcg": statistics.mean(s[0] for s in every),
                "recall": statistics.mean(s[1] for s in every),
                "by_kind": {k: statistics.mean(s[0] for s in v) for k, v in scores.items()},
                "p50": statistics.median(took),
                "p95": sorted(took)[int(len(took) * 0.95) - 1],
            }
    return found


def embedding_cost() -> tuple[float, float]:
    from search import embeddings

    texts = [text for _theme, _lang, text in stories()]
    embeddings.passages(texts[:2])  # loaded
    start = time.perf_counter()
    embeddings.passages(texts)
    per_passage = (time.perf_counter() - start) * 1000 / len(texts)
    start = time.perf_counter()
    for _theme, _kind, question in questions():
        embeddings.query(question)
    per_query = (time.perf_counter() - start) * 1000 / len(questions())
    return per_passage, per_query


def main() -> int:
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "bench-quality")
    os.environ["SEARCH_MEANING"] = "true"
    where = configure("search-quality")
    from django.conf import settings

    from search.backends import get_backend

    backends = ["database"] + (["elasticsearch"] if settings.ELASTICSEARCH_URL else [])
    themes = seed()
    print(f"database: {where}  cores: {os.cpu_count()}")
    print(
        f"{len(themes)} stories in {len(THEMES)} themes (English and Spanish), "
        f"{len(questions())} questions: 24 in plain words, 12 paraphrases, 12 in Spanish\n"
    )
    per_passage, per_query = embedding_cost()
    print(f"embedding: {per_passage:.1f} ms a passage, {per_query:.1f} ms a query\n")
    for backend in backends:
        try:
            results = measure(backend, themes)
        finally:
            if backend == "elasticsearch":
                from django.test import override_settings

                with override_settings(SEARCH_BACKEND=backend):
                    get_backend().drop()
        print(f"{backend}")
        print(
            f"  {'match':<8} {'nDCG@10':>8} {'recall@20':>10} {'words':>7} {'paraphr.':>9} "
            f"{'spanish':>8} {'p50 ms':>8} {'p95 ms':>8}"
        )
        for mode, r in results.items():
            k = r["by_kind"]
            print(
                f"  {mode:<8} {r['ndcg']:>8.3f} {r['recall']:>10.3f} {k['words']:>7.3f} "
                f"{k['paraphrase']:>9.3f} {k['spanish']:>8.3f} {r['p50']:>8.1f} {r['p95']:>8.1f}"
            )
        words, both = results["words"], results["both"]
        print(
            f"  both / words: nDCG@10 x{both['ndcg'] / max(words['ndcg'], 1e-9):.2f}, "
            f"recall@20 x{both['recall'] / max(words['recall'], 1e-9):.2f}, "
            f"p95 x{both['p95'] / max(words['p95'], 1e-9):.2f}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
