"""Hybrid ranking: word matches and meaning matches fused by reciprocal rank fusion.

RRF scores a story 1/(k + rank) in each list it is in and adds them up: no scale to tune
between a BM25 score and a cosine, and a story both lists rank high comes first. k = 60 is the
constant of the original paper (Cormack, Clarke and Büttcher, 2009) and what Elasticsearch
uses by default.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60
# Meaning matches kept: at most this many, each at least FLOOR alike (cosine) and within
# MARGIN of the best. multilingual-e5 puts unrelated text near 0.72-0.78 and paraphrases,
# in any language, near 0.85-0.9; a query that means nothing here keeps nothing.
MEANING_K = 50
FLOOR = 0.80
MARGIN = 0.05


def rrf(*rankings: Sequence[int], k: int = RRF_K) -> list[tuple[int, float]]:
    """Ids of every ranking, best first, with their fused scores (ties: first ranking's order)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    order = {item: i for i, item in enumerate(dict.fromkeys(x for r in rankings for x in r))}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def keep_close(scored: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """The meaning matches worth showing, best first (see FLOOR and MARGIN)."""
    ranked = sorted(scored, key=lambda kv: -kv[1])
    if not ranked:
        return []
    least = max(FLOOR, ranked[0][1] - MARGIN)
    return [(item, score) for item, score in ranked[:MEANING_K] if score >= least]
