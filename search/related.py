"""Related stories worked out when a story changes, so that a story page only reads them.

The outbox drain and `search_reindex` call `related_store` with the documents they have just
indexed: `rank_related` fuses two rankings of every other story by reciprocal rank
(search.fusion), the backend's own `related()` (shared themes and values, and on Elasticsearch
shared words) and its `neighbours_many()` (the stories nearest in meaning, from the passage
vectors of search.vectors: a story that says the same thing in other words, or in another
language, is related too), and the best CANDIDATES are kept (search.models.RelatedList,
RelatedCandidate). Both rankings are asked for one audience, with the visibility rule inside
the backend's query. A story that is drained as gone leaves
every list at once. `related_stored` reads a list back; whoever asks, the ids go through
`Story.objects.visible_to(audience)` again (the one rule), so a list computed earlier can never
show a story that has since been withdrawn, unpublished or sealed.

Which audience a list is computed for: two kinds, both cheap (the database backend ranks a
drained batch in two queries for codes and one read of the visible stories' vectors for
meaning; Elasticsearch answers two queries a story and one multi-search of kNN queries a
batch).
- "public": what anyone sees, and the page most read (and cached). Filtered again at read
  time, it is exactly the backend's answer for the public.
- "wide": every story some audience other than a storyteller may see (the public's, the
  researchers' and the curators', which hold the contributors'), for signed-in readers.
  Filtered for a narrower audience it keeps the backend's order, since a story's score does
  not depend on who asks; a storyteller's own unshared stories are not in it.
Where fewer than `limit` stories survive the filter of a full list, the reader asks the
backend then (`None`), so nothing is lost; so does a story with no list yet.

A list is ranked again when its own story is drained: a story that becomes related to it later
(newly published, tagged, unsealed) joins it then, or at the next `search_reindex`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search import fusion, vectors
from search.documents import StoryDoc
from search.models import RelatedCandidate, RelatedList
from stories.models import Story
from stories.visibility import CURATOR, PUBLIC_AUDIENCE, RESEARCHER, Audience

CANDIDATES = 12  # kept per story and kind; a page shows 3, the API up to 20 (then it asks)

# No account has id 0: an audience of roles only, with no stories of its own.
WIDE_AUDIENCE = Audience(user_id=0, roles=frozenset({RESEARCHER, CURATOR}))
KINDS: dict[str, Audience] = {"public": PUBLIC_AUDIENCE, "wide": WIDE_AUDIENCE}


def kind_for(audience: Audience) -> str:
    return "public" if audience.is_public else "wide"


def rank_related(
    *, backend, audience: Audience, docs: list[StoryDoc], limit: int, now: datetime.datetime
) -> dict[int, list[int]]:
    """Each story's related stories for `audience`, best first: shared codes (and words) and
    nearness in meaning fused by reciprocal rank; at most `limit` of them."""
    shared = backend.related_many(audience=audience, docs=docs, limit=limit, now=now)
    meant = {d.story_id: d.vector for d in docs if d.vector is not None}
    meant.update(vectors.story_means([d.story_id for d in docs if d.story_id not in meant]))
    near = backend.neighbours_many(audience=audience, vectors=meant, limit=limit, now=now)
    return {
        doc.story_id: [
            sid
            for sid, _score in fusion.rrf(shared.get(doc.story_id, []), near.get(doc.story_id, []))
        ][:limit]
        for doc in docs
    }


def related_store(
    *, docs: Iterable[StoryDoc], backend, now: datetime.datetime | None = None
) -> int:
    """Rank and keep the related stories of these freshly indexed stories; returns how many.

    The backend must already answer for them (Elasticsearch: refreshed), since each is
    ranked against the others it holds.
    """
    now = now or timezone.now()
    docs = list(docs)
    found: list[tuple[int, str, list[int]]] = []
    for kind, audience in KINDS.items():
        ranked = rank_related(
            backend=backend, audience=audience, docs=docs, limit=CANDIDATES, now=now
        )
        found += [(doc.story_id, kind, ranked[doc.story_id]) for doc in docs]
    if not found:
        return 0
    with transaction.atomic():
        RelatedList.objects.filter(story_id__in={story for story, _, _ in found}).delete()
        lists = RelatedList.objects.bulk_create(
            RelatedList(story_id=story, audience=kind, full=len(ids) >= CANDIDATES, computed_at=now)
            for story, kind, ids in found
        )
        RelatedCandidate.objects.bulk_create(
            (
                RelatedCandidate(related_list_id=kept.pk, rank=rank, story_id=story)
                for kept, (_, _, ids) in zip(lists, found, strict=True)
                for rank, story in enumerate(ids)
            ),
            batch_size=1000,
        )
    return len(found) // len(KINDS)


def related_forget(*, story_ids: Iterable[int]) -> None:
    """Stories gone from search (withdrawn, deleted) leave their own lists and everyone's."""
    ids = list(story_ids)
    if ids:
        RelatedCandidate.objects.filter(story_id__in=ids).delete()
        RelatedList.objects.filter(story_id__in=ids).delete()


def related_stored(*, audience: Audience, story_id: int, limit: int) -> list[Story] | None:
    """The kept related stories `audience` may see, best first; None where the backend must
    be asked instead (no list yet, or too few of a full list are visible). The caller has
    made sure that `audience` may see the story itself.

    One query where the list answers: the candidates, each through the one visibility rule,
    with what a story card shows.
    """
    kept = RelatedList.objects.filter(story_id=story_id, audience=kind_for(audience))
    # The rule is the query's own filter on each candidate (not a list of every visible id).
    stories = list(
        Story.objects.visible_to(audience)
        .as_cards()
        .filter(as_related__related_list__in=kept)
        .annotate(rank=F("as_related__rank"), full=F("as_related__related_list__full"))
        .order_by("rank")[:limit]
    )
    if len(stories) == limit:
        return stories
    # `full` is annotated on each story above; with none shown, the list itself says.
    shown_full = [story.full for story in stories[:1]]  # type: ignore[attr-defined]
    full = shown_full[0] if shown_full else kept.values_list("full", flat=True).first()
    if full is None or full:
        return None
    return stories
