"""The embedded backend: search on the archive's own database, no server needed.

Its index is three tables (search.models: IndexedStory, IndexedPassage, IndexedFacet) written
from the same documents as Elasticsearch's. Words and phrases are matched by the database's
own full-text engine (search.backends.matching: FTS5 on SQLite, a GIN-indexed tsvector on
PostgreSQL); `LikeDatabaseBackend`, the match of earlier versions, is kept as the
benchmark's baseline. The visibility rule is applied the way Elasticsearch applies it: each
indexed story keeps what the rule asks of it (`audience_markers`, owner, project, consent
expiry and seal), and a query keeps the rows one of the audience's `audience_grants` allows,
with expiry and seal compared with the time of the query. The change log re-indexes a story
whenever its consent or status changes, and search.api loads the stories it shows through
`Story.objects.visible_to` besides.

On PostgreSQL one statement answers a search: the matching rows are read once (GIN match and
visibility keys on the same row, no join per row), then paged, counted and counted by facet.
"""

from __future__ import annotations

import datetime
import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

import numpy as np
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import OrderBy, RawSQL

from search import embeddings, fusion
from search import text as textmod
from search.backends import matching
from search.documents import StoryDoc
from search.models import IndexedFacet, IndexedPassage, IndexedStory
from search.query import ParsedQuery
from search.types import RawHit, RawMoment, RawResults
from stories.visibility import Audience, audience_grants

SNIPPETS_PER_STORY = 3
SNIPPET_CHARS = 240


def _pad(stems: str) -> str:
    return f" {stems} " if stems else " "


class DatabaseBackend:
    name = "database"

    @staticmethod
    def says(phrases: Iterable[str]) -> Q:
        """Stories whose stemmed text says any of `phrases` (see search.backends.matching)."""
        return matching.says(phrases)

    # --- writes --------------------------------------------------------------------------------
    def apply(self, docs: list[StoryDoc], gone: list[int], **_: object) -> dict[int, str]:
        with transaction.atomic():
            IndexedStory.objects.filter(story_id__in=[*gone, *(d.story_id for d in docs)]).delete()
            self._insert(docs)
        return {}

    def _insert(self, docs: list[StoryDoc]) -> None:
        IndexedStory.objects.bulk_create(
            [
                IndexedStory(
                    story_id=d.story_id,
                    title=d.title[:255],
                    title_words=_pad(" ".join(d.title_words)),
                    title_stem=_pad(d.title_stem),
                    summary_stem=_pad(d.summary_stem),
                    all_stem=_pad(d.all_stem),
                    terms=_pad(" ".join(sorted(set(d.all_stem.split())))),
                    date=d.date,
                    status=d.status,
                    audiences=_pad(" ".join(sorted(d.audiences))),
                    owner_id=d.owner_id,
                    project_id=d.project_id,
                    consent_expires_at=d.consent_expires_at,
                    sealed_until=d.sealed_until,
                    facet_keys=_pad(
                        " ".join(
                            f"{facet}={key}"
                            for facet, keys in d.facet_keys().items()
                            for key in dict.fromkeys(keys)
                        )
                    ),
                    source_hash=d.source_hash,
                    vector=None if d.vector is None else embeddings.to_bytes(d.vector),
                    vector_model=d.vector_model,
                )
                for d in docs
            ],
            batch_size=500,
        )
        IndexedPassage.objects.bulk_create(
            (
                IndexedPassage(
                    story_id=d.story_id,
                    n=p.n,
                    start=p.start,
                    end=p.end,
                    char_start=p.char_start,
                    char_end=p.char_end,
                    text=p.text,
                    stem=_pad(p.stem),
                    vector=None if p.vector is None else embeddings.to_bytes(p.vector),
                )
                for d in docs
                for p in d.passages
            ),
            batch_size=2000,
        )
        IndexedFacet.objects.bulk_create(
            (
                IndexedFacet(story_id=d.story_id, facet=facet, key=key)
                for d in docs
                for facet, keys in d.facet_keys().items()
                for key in dict.fromkeys(keys)
            ),
            batch_size=5000,
        )

    def refresh(self) -> None:
        """Writes are visible on commit."""

    def ensure_index(self) -> None:
        """The tables come with the migrations."""

    def drop(self) -> None:
        IndexedStory.objects.all().delete()

    def indexed_hashes(self) -> dict[int, str]:
        return dict(IndexedStory.objects.values_list("story_id", "source_hash"))

    def rebuild(
        self,
        batches: Iterable[list[int]],
        build: Callable[[list[int]], tuple[list[StoryDoc], list[int]]],
        *,
        progress: Callable[[int], None] = lambda n: None,
        keep_old: bool = False,
    ) -> str:
        """Everything rebuilt in one transaction: readers see the old index until it commits."""
        with transaction.atomic():
            IndexedStory.objects.all().delete()
            for ids in batches:
                docs, _gone = build(ids)
                self._insert(docs)
                progress(len(ids))
        return "database tables"

    # --- reads ---------------------------------------------------------------------------------
    def _visible(self, audience: Audience, now: datetime.datetime) -> QuerySet[IndexedStory]:
        return IndexedStory.objects.filter(visible_in_index(audience, now))

    def _matching(
        self,
        *,
        audience: Audience,
        parsed: ParsedQuery,
        filters: dict[str, list[str]],
        now: datetime.datetime,
    ) -> QuerySet[IndexedStory]:
        qs = self._visible(audience, now)
        for facet, keys in filters.items():
            if keys:
                qs = qs.filter(
                    matching.has_facet(facet, keys)
                    or Q(
                        story_id__in=IndexedFacet.objects.filter(facet=facet, key__in=keys).values(
                            "story_id"
                        )
                    )
                )
        clauses = [self.says(c.phrases) for c in parsed.clauses]
        if not clauses:
            return qs
        if parsed.required == len(clauses):
            return qs.filter(*clauses)
        anything = Q()
        for clause in clauses:
            anything |= clause
        met = sum(
            (Case(When(c, then=Value(1)), default=Value(0)) for c in clauses),
            start=Value(0),
        )
        return qs.filter(anything).alias(met=met).filter(met__gte=parsed.required)

    def search(
        self,
        *,
        audience: Audience,
        parsed: ParsedQuery,
        filters: dict[str, list[str]],
        sort: str,
        offset: int,
        limit: int,
        now: datetime.datetime,
    ) -> RawResults:
        if parsed.vector is not None and sort == "relevance":
            return self._hybrid(
                audience=audience,
                parsed=parsed,
                filters=filters,
                offset=offset,
                limit=limit,
                now=now,
            )
        found = self._found(audience=audience, parsed=parsed, filters=filters, now=now)
        by = (
            "oldest"
            if sort == "oldest"
            else "newest"
            if sort == "newest" or not parsed.snippet_phrases
            else "relevance"
        )
        rows, total, facets = _page(found, by, offset, limit)
        moments = self._moments([sid for sid, _ in rows], parsed)
        hits = [
            RawHit(story_id=sid, score=float(sc or 0), moments=moments.get(sid, []))
            for sid, sc in rows
        ]
        return RawResults(total=total, hits=hits, facets=facets)

    def _found(
        self,
        *,
        audience: Audience,
        parsed: ParsedQuery,
        filters: dict[str, list[str]],
        now: datetime.datetime,
    ) -> QuerySet:
        """The matching rows with what orders and counts them, for `_page` to read once."""
        matching = self._matching(audience=audience, parsed=parsed, filters=filters, now=now)
        return matching.annotate(score=_score(parsed, self.says)).values_list(
            "story_id", "date", "score", "facet_keys"
        )

    # --- by meaning ----------------------------------------------------------------------------
    def _hybrid(
        self,
        *,
        audience: Audience,
        parsed: ParsedQuery,
        filters: dict[str, list[str]],
        offset: int,
        limit: int,
        now: datetime.datetime,
    ) -> RawResults:
        """Word matches (ranked) and meaning matches fused (search.fusion); the meaning
        matches come from the same visible, filtered stories as the words."""
        allowed = self._matching(
            audience=audience, parsed=ParsedQuery(text=""), filters=filters, now=now
        )
        meant = self.meaning(allowed, parsed.vector)
        word_ids: list[int] = []
        word_total = 0
        facets: Facets = {}
        if parsed.clauses:
            # The words' best as deep as the page reaches: nothing ranked lower can be on it.
            found = self._found(audience=audience, parsed=parsed, filters=filters, now=now)
            rows, word_total, facets = _page(found, "relevance", 0, offset + limit)
            word_ids = [sid for sid, _ in rows]
        candidates = [sid for sid, _ in meant if sid not in set(word_ids)]
        said: set[int] = set()
        if candidates and word_total > len(word_ids):
            matching = self._matching(audience=audience, parsed=parsed, filters=filters, now=now)
            said = set(matching.filter(story_id__in=candidates).values_list("story_id", flat=True))
        extra = [sid for sid in candidates if sid not in said]
        fused = fusion.rrf(word_ids, [sid for sid, _ in meant])
        page = fused[offset : offset + limit]
        ids = [sid for sid, _ in page]
        moments = self._moments([sid for sid in ids if sid not in extra], parsed)
        by_meaning = self._meaning_moments(
            [sid for sid in ids if sid not in moments], parsed.vector, parsed
        )
        hits = [
            RawHit(story_id=sid, score=score, moments=moments.get(sid) or by_meaning.get(sid, []))
            for sid, score in page
        ]
        if extra:
            keys = IndexedStory.objects.filter(story_id__in=extra).values_list(
                "facet_keys", flat=True
            )
            for facet, counts in _count_facets(" ".join(keys).split()).items():
                for key, n in counts.items():
                    facets.setdefault(facet, {})[key] = facets.get(facet, {}).get(key, 0) + n
        return RawResults(total=word_total + len(extra), hits=hits, facets=facets)

    @staticmethod
    def meaning(allowed: QuerySet[IndexedStory], vector) -> list[tuple[int, float]]:
        """The stories of `allowed` closest in meaning to `vector`, searched exactly: every
        story's vector (the mean of its passages') compared, best first, kept by
        search.fusion.keep_close."""
        ids: list[int] = []
        rows: list[bytes] = []
        for story_id, raw in (
            allowed.exclude(vector=None)
            .filter(vector_model=embeddings.MODEL)
            .values_list("story_id", "vector")
            .iterator(chunk_size=2000)
        ):
            ids.append(story_id)
            rows.append(bytes(raw or b""))
        if not ids:
            return []
        matrix = np.frombuffer(b"".join(rows), dtype=np.float16).reshape(len(ids), -1)
        scores = matrix.astype(np.float32) @ np.asarray(vector, dtype=np.float32)
        return fusion.keep_close(list(zip(ids, scores.tolist(), strict=True)))

    def _meaning_moments(
        self, story_ids: list[int], vector, parsed: ParsedQuery
    ) -> dict[int, list[RawMoment]]:
        """Each story's passage closest in meaning to `vector`: the moment a meaning match
        shows (its words need not be the query's)."""
        best: dict[int, tuple[float, RawMoment]] = {}
        if not story_ids:
            return {}
        query = np.asarray(vector, dtype=np.float32)
        for story_id, start, char_start, text, raw in (
            IndexedPassage.objects.filter(story_id__in=story_ids)
            .exclude(vector=None)
            .values_list("story_id", "start", "char_start", "text", "vector")
            .iterator(chunk_size=500)
        ):
            score = float(embeddings.from_bytes(bytes(raw or b"")) @ query)
            if story_id not in best or score > best[story_id][0]:
                moment = RawMoment(
                    text=textmod.highlight(
                        text, parsed.mark_stems, size=SNIPPET_CHARS, languages=parsed.languages
                    ),
                    start=start,
                    char_start=char_start,
                )
                best[story_id] = (score, moment)
        return {sid: [moment] for sid, (_score, moment) in best.items()}

    def _moments(self, story_ids: list[int], parsed: ParsedQuery) -> dict[int, list[RawMoment]]:
        phrases = parsed.snippet_phrases
        if not story_ids or not phrases:
            return {}
        found: dict[int, list[tuple[int, int, RawMoment]]] = {}
        for story_id, n, start, char_start, text, stem in (
            IndexedPassage.objects.filter(story_id__in=story_ids)
            .filter(matching.has_any("stem", phrases))
            .values_list("story_id", "n", "start", "char_start", "text", "stem")
            .iterator(chunk_size=500)
        ):
            met = sum(1 for p in phrases if f" {p} " in stem)
            moment = RawMoment(
                text=textmod.highlight(
                    text, parsed.mark_stems, size=SNIPPET_CHARS, languages=parsed.languages
                ),
                start=start,
                char_start=char_start,
            )
            found.setdefault(story_id, []).append((-met, n, moment))
        return {
            sid: [m for _, _, m in sorted(items, key=lambda x: (x[0], x[1]))[:SNIPPETS_PER_STORY]]
            for sid, items in found.items()
        }

    def suggest_titles(
        self,
        *,
        audience: Audience,
        done: list[str],
        prefix: str,
        limit: int,
        now: datetime.datetime,
    ) -> list[tuple[int, str]]:
        qs = self._visible(audience, now).filter(matching.title_has(done, prefix))
        newest: OrderBy | str = "-date"
        if connection.vendor == "postgresql":
            # Newest first among the titles the word index finds: ordered by an expression
            # the date index cannot give, else the planner walks every title by date looking
            # for a prefix that few have (it cannot tell how few: hundreds of ms at 100k).
            newest = RawSQL('"archive_search_indexedstory"."date" + 0', []).desc()
        return list(qs.order_by(newest, "-story_id").values_list("story_id", "title")[:limit])

    def related(
        self, *, audience: Audience, doc: StoryDoc, limit: int, now: datetime.datetime
    ) -> list[int]:
        shared = Q(facet="theme", key__in=[str(t) for t in doc.theme_ids]) | Q(
            facet="value", key__in=[str(v) for v in doc.value_ids]
        )
        if not (doc.theme_ids or doc.value_ids):
            return []
        weights = (
            IndexedFacet.objects.filter(shared)
            .filter(story_id__in=self._visible(audience, now).values("story_id"))
            .exclude(story_id=doc.story_id)
            .values("story_id")
            .annotate(
                weight=Sum(
                    Case(
                        When(facet="theme", then=Value(3)),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                )
            )
            .order_by("-weight", "-story__date", "-story_id")
        )
        return [row["story_id"] for row in weights[:limit]]

    def related_many(
        self, *, audience: Audience, docs: list[StoryDoc], limit: int, now: datetime.datetime
    ) -> dict[int, list[int]]:
        """`related` of many stories at once (drains, rebuilds): the same weights and order,
        summed here from one read of the stories that hold their themes and values, where
        one query a story would cost a rebuild minutes."""
        themes = {str(t) for doc in docs for t in doc.theme_ids}
        values = {str(v) for doc in docs for v in doc.value_ids}
        holders: dict[tuple[str, str], list[int]] = {}
        dates: dict[int, datetime.date] = {}
        if themes or values:
            rows = (
                IndexedFacet.objects.filter(
                    Q(facet="theme", key__in=themes) | Q(facet="value", key__in=values)
                )
                .filter(story_id__in=self._visible(audience, now).values("story_id"))
                .values_list("facet", "key", "story_id", "story__date")
            )
            for facet, key, story_id, date in rows.iterator(chunk_size=5000):
                holders.setdefault((facet, key), []).append(story_id)
                dates[story_id] = date
        found: dict[int, list[int]] = {}
        for doc in docs:
            weights: dict[int, int] = {}
            for facet, keys, weight in (("theme", doc.theme_ids, 3), ("value", doc.value_ids, 1)):
                for key in {str(k) for k in keys}:
                    for story_id in holders.get((facet, key), ()):
                        weights[story_id] = weights.get(story_id, 0) + weight
            weights.pop(doc.story_id, None)
            found[doc.story_id] = heapq.nsmallest(
                limit, weights, key=lambda s: (-weights[s], -dates[s].toordinal(), -s)
            )
        return found

    def neighbours_many(
        self,
        *,
        audience: Audience,
        vectors: dict[int, np.ndarray],
        limit: int,
        now: datetime.datetime,
    ) -> dict[int, list[int]]:
        """For each story of `vectors`, the stories `audience` may see that mean most nearly
        the same (whole story against whole story, searched exactly as `meaning` does, kept
        by search.fusion.keep_close), best first, itself left out. One read of the visible
        stories' vectors serves the whole batch."""
        if not vectors:
            return {}
        ids: list[int] = []
        rows: list[bytes] = []
        for story_id, raw in (
            self._visible(audience, now)
            .exclude(vector=None)
            .filter(vector_model=embeddings.MODEL)
            .values_list("story_id", "vector")
            .iterator(chunk_size=2000)
        ):
            ids.append(story_id)
            rows.append(bytes(raw or b""))
        if not ids:
            return {sid: [] for sid in vectors}
        matrix = np.frombuffer(b"".join(rows), dtype=np.float16).reshape(len(ids), -1)
        asked = list(vectors)
        queries = np.stack([np.asarray(vectors[sid], dtype=np.float32) for sid in asked])
        scores = matrix.astype(np.float32) @ queries.T  # stories x asked
        # keep_close looks at the best MEANING_K only (and each story is its own best).
        best = min(len(ids), fusion.MEANING_K + 1)
        top = np.argpartition(-scores, best - 1, axis=0)[:best]
        found: dict[int, list[int]] = {}
        for column, story_id in enumerate(asked):
            scored = [
                (ids[row], float(scores[row, column]))
                for row in top[:, column].tolist()
                if ids[row] != story_id
            ]
            found[story_id] = [sid for sid, _ in fusion.keep_close(scored)][:limit]
        return found


def visible_in_index(audience: Audience, now: datetime.datetime) -> Q:
    """The visibility rule on the indexed copy of its keys: one clause per grant, as
    search.backends.elastic.audience_query asks Elasticsearch."""
    live = Q(consent_expires_at__isnull=True) | Q(consent_expires_at__gt=now)
    unsealed = Q(sealed_until__isnull=True) | Q(sealed_until__lte=now.date())
    clauses = []
    for grant in audience_grants(audience):
        clause = Q()
        if grant.marker is not None:
            clause &= Q(audiences__contains=f" {grant.marker} ")
        if grant.owner_id is not None:
            clause &= Q(owner_id=grant.owner_id)
        if grant.project_ids is not None:
            if not grant.project_ids:
                continue
            clause &= Q(project_id__in=sorted(grant.project_ids))
        if grant.live:
            clause &= live
        if grant.unsealed:
            clause &= unsealed
        clauses.append(clause)
    if not clauses:
        return Q(pk__in=[])
    return reduce(or_, clauses) & ~Q(status="withdrawn")


Rows = list[tuple[int, float]]
Facets = dict[str, dict[str, int]]
ORDER_SQL = {
    "oldest": "date, story_id",
    "newest": "date DESC, story_id DESC",
    "relevance": "score DESC, date DESC, story_id DESC",
}


def _page(found: QuerySet, by: str, offset: int, limit: int) -> tuple[Rows, int, Facets]:
    if connection.vendor == "postgresql":
        return _page_in_one_statement(found, by, offset, limit)
    return _page_in_python(list(found), by, offset, limit)


def _page_in_one_statement(
    found: QuerySet, by: str, offset: int, limit: int
) -> tuple[Rows, int, Facets]:
    """PostgreSQL: the matching rows read once (a materialized CTE), then the page, the total
    and the facet counts from them, in one round trip."""
    sql, params = found.query.sql_with_params()
    statement = (
        f"WITH m (story_id, date, score, facet_keys) AS MATERIALIZED ({sql}) "  # noqa: S608
        f"SELECT 0, story_id, score::float8, NULL::text FROM "
        f"(SELECT story_id, score FROM m ORDER BY {ORDER_SQL[by]} LIMIT %s OFFSET %s) page "
        # The facet keys of every matching row as one string, counted here: Python's
        # Counter is several times quicker than a GROUP BY over the keys one by one.
        "UNION ALL SELECT 1, count(*), NULL, string_agg(facet_keys, '') FROM m"
    )
    rows: Rows = []
    total = 0
    keys = ""
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only: the index is read from memory, so random reads cost about
        # what sequential ones do (else the planner reads every row's tsvector instead of the
        # GIN index, several times slower at 100k stories), and compiling it (JIT) costs more
        # than running it.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(statement, [*params, limit, offset])
        rows_read = cursor.fetchall()
    for kind, n, score, text in rows_read:
        if kind == 0:
            rows.append((n, score))
        else:
            total, keys = n, text or ""
    return rows, total, _count_facets(keys.split())


def _count_facets(keys: Iterable[str]) -> Facets:
    """{facet: {key: stories}} from "facet=key" items, one for each story counted."""
    facets: Facets = {}
    for item, n in Counter(keys).items():
        facet, _, value = item.partition("=")
        facets.setdefault(facet, {})[value] = n
    return facets


def _page_in_python(found: list, by: str, offset: int, limit: int) -> tuple[Rows, int, Facets]:
    """Other engines (SQLite): the matching rows read once, then ordered and counted here."""
    if by == "oldest":
        found.sort(key=lambda r: (r[1], r[0]))
    elif by == "newest":
        found.sort(key=lambda r: (r[1], r[0]), reverse=True)
    else:
        found.sort(key=lambda r: (r[2], r[1], r[0]), reverse=True)
    facets = _count_facets(" ".join(keys for *_row, keys in found).split())
    rows: Rows = [(sid, sc) for sid, _date, sc, _keys in found[offset : offset + limit]]
    return rows, len(found), facets


def _score(parsed: ParsedQuery, says: Callable[[Iterable[str]], Q]):
    """Title 3, summary 2, anywhere 1, per clause met: close to the Elasticsearch boosts.

    Where a story must meet every clause, "anywhere" adds the same to each: left out.
    """
    every = parsed.required == len(parsed.clauses)
    terms = []
    for clause in parsed.clauses:
        words = [p for p in clause.phrases if not p.startswith("tag")]
        if words:
            title = matching.has_any("title_stem", words)
            summary = matching.has_any("summary_stem", words)
            terms.append(Case(When(title, then=Value(3)), default=Value(0)))
            terms.append(Case(When(summary, then=Value(2)), default=Value(0)))
        if not every:
            terms.append(Case(When(says(clause.phrases), then=Value(1)), default=Value(0)))
    return sum(terms, start=Value(0)) if terms else Value(0)


class LikeDatabaseBackend(DatabaseBackend):
    """The same index matched with LIKE on stems, as before the full-text engines: kept only as
    the baseline that bench/search.py measures the full-text match against."""

    name = "database-like"

    @staticmethod
    def says(phrases: Iterable[str]) -> Q:
        return matching.says_like(phrases)
