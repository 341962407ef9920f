"""Vectors for the documents about to be indexed, embedding only what is new.

Each passage's vector is kept per story (search.models.PassageVector, keyed by the model and
the text), so re-indexing a story whose words did not change (a new tag, a consent change)
embeds nothing. A story that leaves the index (withdrawn, unpublished…) loses its vectors, and
a story's vectors of words it no longer says (a correction, a redaction) go when it is next
indexed: nothing of those words stays in any vector.
"""

from __future__ import annotations

import numpy as np
from django.db.models import Q

from search import embeddings
from search.documents import StoryDoc
from search.models import PassageVector
from stories.changes import story_changed
from stories.models import StoryChange

MAX_VECTORS = 100  # per story; see `windows` (an hour of speech: runs of about six segments)


def attach(docs: list[StoryDoc], gone: list[int]) -> None:
    """Set `vector` on every passage of `docs` and on each doc (the passages' mean)."""
    if gone:
        PassageVector.objects.filter(story_id__in=gone).delete()
    if not docs or not embeddings.enabled():
        return
    ids = [d.story_id for d in docs]
    # Vectors of another model are never compared with this one's: made again.
    PassageVector.objects.filter(story_id__in=ids).exclude(model=embeddings.MODEL).delete()
    kept: dict[tuple[int, str], bytes] = {
        (story_id, key): bytes(vector)
        for story_id, key, vector in PassageVector.objects.filter(
            story_id__in=ids, model=embeddings.MODEL
        ).values_list("story_id", "key", "vector")
    }
    planned = {
        doc.story_id: [(first, embeddings.key(text), text) for first, text in windows(doc)]
        for doc in docs
    }
    wanted = {
        (story_id, key): text
        for story_id, plan in planned.items()
        for _first, key, text in plan
        if (story_id, key) not in kept
    }
    made = _embed(wanted)
    PassageVector.objects.bulk_create(
        [
            PassageVector(story_id=story_id, key=key, model=embeddings.MODEL, vector=vector)
            for (story_id, key), vector in made.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,  # two drains of one story at once make the same rows
    )
    kept.update(made)
    used: set[tuple[int, str]] = set()
    for doc in docs:
        vectors = []
        for first, key, _text in planned[doc.story_id]:
            found = (doc.story_id, key)
            used.add(found)
            vector = embeddings.from_bytes(kept[found])
            doc.passages[first].vector = vector
            vectors.append(vector)
        doc.vector = embeddings.normalised(np.mean(vectors, axis=0)) if vectors else None
        doc.vector_model = embeddings.MODEL if vectors else ""
    _forget_unused(ids, used)


def windows(doc: StoryDoc) -> list[tuple[int, str]]:
    """What of a story is embedded: (the first passage, the text) of each stretch. Every
    passage on its own, up to MAX_VECTORS; a longer story (a transcript of hours) in as many
    runs of consecutive passages, each carrying its vector on its first passage, so that no
    story costs more than MAX_VECTORS embeddings nor sends more vectors than a search node
    takes in one document."""
    passages = doc.passages
    per = -(-len(passages) // MAX_VECTORS) if passages else 1
    return [
        (start, " ".join(p.text for p in passages[start : start + per]))
        for start in range(0, len(passages), per)
    ]


def _embed(wanted: dict[tuple[int, str], str]) -> dict[tuple[int, str], bytes]:
    """Each distinct text embedded once, however many stories say it."""
    texts = list(dict.fromkeys(wanted.values()))
    if not texts:
        return {}
    found: dict[str, bytes] = {}
    for start in range(0, len(texts), 64):
        chunk = texts[start : start + 64]
        for text, vector in zip(chunk, embeddings.passages(chunk), strict=True):
            found[text] = embeddings.to_bytes(vector)
    return {where: found[text] for where, text in wanted.items()}


def _forget_unused(story_ids: list[int], used: set[tuple[int, str]]) -> None:
    """Vectors of words these stories no longer say, or of another model, are deleted."""
    stale = [
        pk
        for pk, story_id, key, model in PassageVector.objects.filter(
            story_id__in=story_ids
        ).values_list("pk", "story_id", "key", "model")
        if model != embeddings.MODEL or (story_id, key) not in used
    ]
    if stale:
        PassageVector.objects.filter(pk__in=stale).delete()


def reembed_stale(*, batch: int = 200) -> int:
    """Stories with vectors of another model (the model was changed) go back through the
    change log, a batch each round, so the drain embeds them anew; returns how many."""
    if not embeddings.enabled():
        return 0
    # Below or above this model's name rather than "not equal": two ranges of the model index,
    # so finding none (every round but after a change of model) reads nothing.
    other = Q(model__lt=embeddings.MODEL) | Q(model__gt=embeddings.MODEL)
    stale = list(
        PassageVector.objects.filter(other)
        .exclude(story_id__in=StoryChange.objects.values("story_id"))
        .values_list("story_id", flat=True)
        .distinct()[:batch]
    )
    if stale:
        story_changed(story_ids=stale)
    return len(stale)


def story_means(story_ids: list[int]) -> dict[int, np.ndarray]:
    """What each of these stories means as a whole: the mean of its kept passage vectors of
    this model, normalised (as `attach` sets `doc.vector`); stories with none are left out."""
    if not story_ids or not embeddings.enabled():
        return {}
    found: dict[int, list[np.ndarray]] = {}
    for story_id, raw in PassageVector.objects.filter(
        story_id__in=story_ids, model=embeddings.MODEL
    ).values_list("story_id", "vector"):
        found.setdefault(story_id, []).append(embeddings.from_bytes(bytes(raw)))
    return {sid: embeddings.normalised(np.mean(rows, axis=0)) for sid, rows in found.items()}
