"""The Elasticsearch backend, written with `elasticsearch.dsl` (Document, Search, aggregations).

One index of stories with their passages (transcript segments or text paragraphs) as nested
documents. The index name carries the mapping version, `<prefix>-stories-v<N>` (a rebuild adds
a build stamp), and the archive reads and writes through the alias `<prefix>-stories`; while a
rebuild runs, writes also go to the alias `<prefix>-stories-next`. Every write carries an
external version (the time the document was read from the database), so a slower writer can
never put an older copy over a newer one.

Text analysis is the archive's own (search.text): stemmed fields use the `whitespace`
analyzer, original text the `standard` analyzer, both of which the node has without the
analysis-common module. A search ranks stories and counts facets in one request; the passages
that match, of the page's stories only, come back from a second (inner hits with their words)
and are highlighted here by stem (`search.text.highlight`, as the database backend does): a
passage is one transcript segment or a short paragraph, so this costs far less than the
node's highlighter did, and it marks every form of a word, irregular ones included.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime
import functools
import gc
import logging
import multiprocessing
import multiprocessing.util
import pickle
import time
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, connections
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.dsl import (
    Date,
    DenseVector,
    Document,
    Float,
    Index,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    MetaField,
    MultiSearch,
    Nested,
    Q,
    Query,
    Search,
    Text,
)

from search import embeddings, fusion
from search import text as textmod
from search.documents import StoryDoc
from search.query import FACETS, ParsedQuery
from search.types import RawHit, RawMoment, RawResults
from stories.visibility import Audience, audience_grants

logger = logging.getLogger(__name__)

# The client logs every failed attempt at WARNING, with a traceback, and every node it puts on
# timeout; the archive reports an unreachable node itself, in one line (Unavailable). Its own
# chatter is kept to errors unless the LOGGING setting says otherwise.
_transport_logger = logging.getLogger("elastic_transport")
if _transport_logger.level == logging.NOTSET:
    _transport_logger.setLevel(logging.ERROR)

# Raise when the mapping or the settings below change; `manage.py search_reindex` builds the
# new version beside the old one and swaps the alias.
MAPPING_VERSION = 2  # 2: passage words stored, not indexed (highlighted in Python); vectors

FACET_FIELDS = {
    "value": ("value_ids", 50),
    "value_group": ("value_groups", 5),
    "theme": ("theme_ids", 300),
    "project": ("project_id", 300),
    "collection": ("collection_ids", 300),
    "language": ("language", 50),
    "year": ("year", 300),
    "kind": ("kind", 5),
}
assert set(FACET_FIELDS) == set(FACETS)

SNIPPET_CHARS = 240
SNIPPETS_PER_STORY = 3


class Passage(InnerDoc):
    n = Integer()
    start = Float()
    end = Float()
    char_start = Integer()
    char_end = Integer()
    # Shown, never matched (the stems are): kept in _source only, not analysed into the index.
    text = Text(index=False)
    stem = Text(analyzer="whitespace")
    # What it means (search.embeddings); kNN searches it with the consent filter inside.
    vector = DenseVector(
        dims=embeddings.DIM, similarity="cosine", index=True, index_options={"type": "int8_hnsw"}
    )


class StoryDocument(Document):
    story_id = Long()
    title = Text(analyzer="standard")
    title_words = Keyword()
    title_stem = Text(analyzer="whitespace")
    summary = Text(analyzer="standard")
    summary_stem = Text(analyzer="whitespace")
    all_stem = Text(analyzer="whitespace")
    kind = Keyword()
    language = Keyword()
    status = Keyword()
    owner_id = Keyword()
    project_id = Keyword()
    value_ids = Keyword()
    value_groups = Keyword()
    theme_ids = Keyword()
    collection_ids = Keyword()
    year = Keyword()
    date = Date(format="date")
    published_at = Date()
    audiences = Keyword()
    consent_expires_at = Date()
    sealed_until = Date(format="date")
    source_hash = Keyword(index=False)
    vector_model = Keyword()  # the model that made the passages' vectors
    passages = Nested(Passage)

    class Meta:
        dynamic = MetaField("strict")
        # The stemmed copies of long text are searched, never shown: keep them out of _source.
        source = MetaField(excludes=["all_stem", "passages.stem", "passages.vector"])

    @classmethod
    def from_doc(cls, doc: StoryDoc) -> StoryDocument:
        return cls(meta={"id": doc.story_id}, **_typed(doc))


def _typed(doc: StoryDoc) -> dict:
    """The document's fields as the mapping types them (ids are keywords)."""
    data = doc.as_dict()
    for key in ("owner_id", "project_id", "year"):
        data[key] = None if data[key] is None else str(data[key])
    for key in ("value_ids", "theme_ids", "collection_ids"):
        data[key] = [str(v) for v in data[key]]
    return data


def source_of(doc: StoryDoc) -> dict:
    """The document's _source for a bulk request (dates in ISO 8601, no empty values)."""
    data = _typed(doc)
    for key in ("date", "sealed_until", "published_at", "consent_expires_at"):
        data[key] = data[key].isoformat() if data[key] else None
    data.pop("vector")  # the story's mean vector serves the database backend only
    for passage in data["passages"]:
        if passage.get("vector") is not None:
            # Four decimals: the vectors are kept as float16, and JSON of full floats is twice
            # the size.
            passage["vector"] = [round(x, 4) for x in passage["vector"].tolist()]
    data["passages"] = [{k: v for k, v in p.items() if v is not None} for p in data["passages"]]
    return {k: v for k, v in data.items() if v is not None}


def index_settings() -> dict:
    return {
        "number_of_shards": 1,
        "number_of_replicas": settings.SEARCH_ES_REPLICAS,
        # A transcript of a million characters has thousands of segments.
        "mapping.nested_objects.limit": 200_000,
    }


# An index being loaded by a rebuild: no replicas to copy each document to, no refresh every
# second, no fsync of the translog after each bulk request (a load cut short is thrown away
# anyway); `served_settings` puts back what a live index has.
LOADING_SETTINGS = {
    "index": {"refresh_interval": "-1", "number_of_replicas": 0, "translog.durability": "async"}
}
# Bulk requests a rebuild keeps in flight while it builds the next documents.
REBUILD_THREADS = 2
# Below this many batches a rebuild builds in its own process: starting others costs more.
PROCESS_MIN_BATCHES = 8


def served_settings() -> dict:
    return {
        "index": {
            "refresh_interval": None,
            "number_of_replicas": settings.SEARCH_ES_REPLICAS,
            "translog.durability": None,
        }
    }


@cache
def _client(url: str, timeout: float) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)


class Unavailable(Exception):
    """Elasticsearch could not be reached or refused the request."""


def _answered(method):
    """Index housekeeping (refresh, mappings, rebuild with its index creation) raises
    Unavailable, naming the node, when Elasticsearch cannot be reached or refuses: never a raw
    client error. (Writes and searches say so in their own words.)"""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ApiError as exc:
            raise Unavailable(
                f"Elasticsearch at {self.url} refused the request ({exc.meta.status}: "
                f"{exc.message})."
            ) from exc
        except TransportError as exc:
            raise Unavailable(
                f"Elasticsearch at {self.url} did not answer ({exc.__class__.__name__})."
            ) from exc

    return call


def _now_version() -> int:
    return time.time_ns() // 1000


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str | None = None, prefix: str | None = None) -> None:
        self.url = url or settings.ELASTICSEARCH_URL
        if not self.url:
            raise Unavailable(
                "SEARCH_BACKEND is 'elasticsearch' but ELASTICSEARCH_URL is empty: set it to "
                "your node (for development, scripts/elasticsearch.sh url prints it)."
            )
        self.prefix = prefix or settings.SEARCH_INDEX_PREFIX
        self.alias = f"{self.prefix}-stories"
        self.next_alias = f"{self.prefix}-stories-next"

    # --- connection and indices --------------------------------------------------------------
    @property
    def client(self) -> Elasticsearch:
        return _client(self.url, settings.SEARCH_ES_TIMEOUT)

    def index_name(self, stamp: str = "") -> str:
        base = f"{self.alias}-v{MAPPING_VERSION}"
        return f"{base}-{stamp}" if stamp else base

    def _index(self, name: str) -> Index:
        index = Index(name, using=self.client)
        index.settings(**index_settings())
        index.document(StoryDocument)
        return index

    def create_index(self, name: str, *, aliases: Iterable[str] = ()) -> None:
        index = self._index(name)
        for alias in aliases:
            index.aliases(**{alias: {}})
        body = index.to_dict()
        body.setdefault("mappings", {})["_meta"] = {"mapping_version": MAPPING_VERSION}
        try:
            self.client.indices.create(index=name, **body)
        except ApiError as exc:
            if exc.meta.status != 400 or "already_exists" not in str(exc):
                raise

    def ensure_index(self) -> None:
        """The alias and its first index, made once."""
        if not self.client.indices.exists_alias(name=self.alias):
            self.create_index(self.index_name(), aliases=[self.alias])

    def aliased(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def write_targets(self) -> list[str]:
        self.ensure_index()
        return sorted(set(self.aliased(self.alias)) | set(self.aliased(self.next_alias)))

    @_answered
    def refresh(self) -> None:
        self.client.indices.refresh(
            index=self.alias, ignore_unavailable=True, allow_no_indices=True
        )

    @_answered
    def drop(self) -> None:
        """Delete every index of this prefix (tests and benchmarks)."""
        names = self.client.indices.get(index=f"{self.alias}-v*", allow_no_indices=True)
        for name in names:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    @_answered
    def health(self) -> dict:
        return self.client.cluster.health(timeout="5s").body

    # --- writes --------------------------------------------------------------------------------
    def apply(
        self,
        docs: list[StoryDoc],
        gone: list[int],
        *,
        version: int | None = None,
        targets: list[str] | None = None,
        chunk: int = 200,
    ) -> dict[int, str]:
        """Index `docs` and delete `gone` from every write target; per-story errors returned.

        Raises Unavailable when the node cannot be reached: nothing is then taken as done.
        """
        version = version or _now_version()
        try:
            targets = targets or self.write_targets()
            actions = []
            # Plain dicts shaped by StoryDocument's mapping: building DSL objects for every
            # document in a bulk load costs more than Elasticsearch's own indexing.
            sources = [(doc.story_id, source_of(doc)) for doc in docs]
            for target in targets:
                for story_id, source in sources:
                    actions.append(
                        {
                            "_index": target,
                            "_id": str(story_id),
                            "_source": source,
                            "version": version,
                            "version_type": "external",
                        }
                    )
                for story_id in gone:
                    actions.append(
                        {
                            "_op_type": "delete",
                            "_index": target,
                            "_id": str(story_id),
                            "version": version,
                            "version_type": "external",
                        }
                    )
            errors: dict[int, str] = {}
            for ok, item in helpers.streaming_bulk(
                self.client,
                actions,
                chunk_size=chunk,
                max_chunk_bytes=20 * 1024 * 1024,
                raise_on_error=False,
                raise_on_exception=True,
            ):
                if not ok:
                    errors.update(_refused([item]))
            return errors
        except (TransportError, ApiError) as exc:
            raise Unavailable(
                f"Elasticsearch at {self.url} did not take the update: {exc}"
            ) from exc

    def indexed_hashes(self) -> dict[int, str]:
        """Every story in the index with the fingerprint of what was indexed."""
        found: dict[int, str] = {}
        search = StoryDocument.search(using=self.client, index=self.alias).source(
            ["story_id", "source_hash"]
        )
        try:
            for hit in search.params(size=2000).scan():
                # A hit holds the stored string; the document class declares the field.
                found[int(hit.story_id)] = hit.source_hash  # type: ignore[assignment]
        except NotFoundError:
            return {}  # no index yet
        except (TransportError, ApiError) as exc:
            raise Unavailable(f"Elasticsearch at {self.url} did not answer: {exc}") from exc
        return found

    @_answered
    def mapping_versions(self) -> dict[str, int | None]:
        """The mapping version of each index behind the alias (none yet: empty)."""
        try:
            mappings = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return {}
        return {
            name: (body["mappings"].get("_meta") or {}).get("mapping_version")
            for name, body in mappings.items()
        }

    @_answered
    def rebuild(
        self,
        batches: Iterable[list[int]],
        build: Callable[[list[int]], tuple[list[StoryDoc], list[int]]],
        *,
        progress: Callable[[int], None] = lambda n: None,
        keep_old: bool = False,
    ) -> str:
        """A new index beside the live one, loaded in bulk, then the alias swapped at once.

        Searches keep using the old index until the swap; changes drained meanwhile go to both.
        While it loads, the new index has no replicas and no periodic refresh (each would
        redo the work of the load); both are restored when the load ends, failed or not.
        """
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
        name = self.index_name(stamp)
        self.ensure_index()
        old = self.aliased(self.alias)
        for abandoned in self.aliased(self.next_alias):  # left by a rebuild that was killed
            if abandoned not in old:
                self.client.indices.delete(index=abandoned, ignore_unavailable=True)
        self.create_index(name)
        try:
            self.client.indices.put_settings(index=name, settings=LOADING_SETTINGS)
            loaded = False
            try:
                self.client.indices.update_aliases(
                    actions=[{"add": {"index": name, "alias": self.next_alias}}]
                )
                self._load(name, batches, build, progress)
                loaded = True
            finally:
                # After a failure, the error that stopped the load is the one to tell.
                with contextlib.suppress(*(() if loaded else (TransportError, ApiError))):
                    self.client.indices.put_settings(index=name, settings=served_settings())
            self.client.indices.refresh(index=name)
            swap = [{"add": {"index": name, "alias": self.alias}}]
            swap += [{"remove": {"index": o, "alias": self.alias}} for o in old]
            swap.append({"remove": {"index": name, "alias": self.next_alias}})
            self.client.indices.update_aliases(actions=swap)
        except BaseException:
            # Clean up if the node lets us; the error that stopped the build is the one to tell.
            with contextlib.suppress(TransportError, ApiError):
                self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        if not keep_old:
            for o in old:
                self.client.indices.delete(index=o, ignore_unavailable=True)
        return name

    def _load(
        self,
        name: str,
        batches: Iterable[list[int]],
        build: Callable[[list[int]], tuple[list[StoryDoc], list[int]]],
        progress: Callable[[int], None],
    ) -> None:
        """Documents built batch after batch while up to REBUILD_THREADS bulk requests are in
        flight on other threads; built in SEARCH_REBUILD_PROCESSES processes where it can."""
        batches = list(batches)  # ids only; read now, before any process is started
        if _can_fork(build) and len(batches) >= PROCESS_MIN_BATCHES:
            self._load_in_processes(name, batches, build, progress)
            return
        in_flight: collections.deque[concurrent.futures.Future[dict[int, str]]] = (
            collections.deque()
        )
        with concurrent.futures.ThreadPoolExecutor(
            REBUILD_THREADS, thread_name_prefix="search-rebuild"
        ) as pool:
            try:
                for ids in batches:
                    version = _now_version()
                    docs, _gone = build(ids)
                    in_flight.append(
                        pool.submit(
                            self.apply, docs, [], version=version, targets=[name], chunk=500
                        )
                    )
                    progress(len(ids))
                    while len(in_flight) >= REBUILD_THREADS * 2:
                        _settle(in_flight.popleft())
                while in_flight:
                    _settle(in_flight.popleft())
            finally:
                for future in in_flight:
                    future.cancel()

    def _load_in_processes(
        self,
        name: str,
        batches: list[list[int]],
        build: Callable[[list[int]], tuple[list[StoryDoc], list[int]]],
        progress: Callable[[int], None],
    ) -> None:
        """The same load with documents built and serialised in other processes.

        Building a document (reading the database, stemming, fingerprinting) is Python work
        that one process does on one core at a time; here forked processes each build whole
        bulk request bodies while this one only sends them, so the cores Elasticsearch leaves
        free all build.
        """
        # A forked process must not share this process's database connection: each opens its
        # own (this one reconnects when it next needs the database).
        connections.close_all()
        context = multiprocessing.get_context("fork")
        builds: collections.deque[tuple[int, concurrent.futures.Future[bytes]]] = (
            collections.deque()
        )
        sends: collections.deque[concurrent.futures.Future[dict[int, str]]] = collections.deque()
        todo = iter(batches)
        workers = settings.SEARCH_REBUILD_PROCESSES
        with (
            concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=context, initializer=_builder_started
            ) as builders,
            concurrent.futures.ThreadPoolExecutor(
                REBUILD_THREADS, thread_name_prefix="search-rebuild"
            ) as senders,
        ):
            try:

                def queue_builds() -> None:
                    # Two batches a process waiting at most: memory stays a few bodies deep.
                    while len(builds) < workers * 2:
                        ids = next(todo, None)
                        if ids is None:
                            return
                        builds.append((len(ids), builders.submit(bulk_body, build, ids, name)))

                queue_builds()
                while builds:
                    count, built = builds.popleft()
                    body = built.result()
                    queue_builds()
                    sends.append(senders.submit(self._send, body))
                    progress(count)
                    while len(sends) >= REBUILD_THREADS * 2:
                        _settle(sends.popleft())
                while sends:
                    _settle(sends.popleft())
            finally:
                for _count, waiting in builds:
                    waiting.cancel()
                for sent in sends:
                    sent.cancel()

    def _send(self, body: bytes) -> dict[int, str]:
        """One prepared bulk request body; the stories refused, with the reason."""
        try:
            # The client sends a body of bytes as it is; its hints name only action dicts.
            response = self.client.bulk(operations=body)  # type: ignore[arg-type]
        except (TransportError, ApiError) as exc:
            raise Unavailable(
                f"Elasticsearch at {self.url} did not take the update: {exc}"
            ) from exc
        if not response.get("errors"):
            return {}
        return _refused(i for i in response["items"] if _failed(i))

    # --- reads ---------------------------------------------------------------------------------
    def _search(self) -> Search[StoryDocument]:
        return StoryDocument.search(using=self.client, index=self.alias)

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
        search = self._word_search(audience=audience, parsed=parsed, filters=filters, now=now)
        search = search.extra(track_total_hits=True)
        _facet_aggs(search)
        search = search.sort(*_sort(sort, bool(parsed.clauses or parsed.snippet_phrases)))
        search = search[offset : offset + limit]
        try:
            response = _execute(search, self.url)
        except NotFoundError:
            return RawResults(total=0, hits=[], facets={facet: {} for facet in FACET_FIELDS})
        ids = [int(hit.story_id) for hit in response.hits]
        moments = self._moments(ids, parsed) if ids and parsed.snippet_phrases else {}
        hits = [
            RawHit(story_id=i, score=hit.meta.score or 0.0, moments=moments.get(i, []))
            for i, hit in zip(ids, response.hits, strict=True)
        ]
        return RawResults(
            total=response.hits.total.value, hits=hits, facets=_facet_counts(response)
        )

    def _word_search(
        self,
        *,
        audience: Audience,
        parsed: ParsedQuery,
        filters: dict[str, list[str]],
        now: datetime.datetime,
    ) -> Search[StoryDocument]:
        """The visible, filtered stories that match the words (all of them with no words)."""
        must = [_words_query(parsed)] if parsed.clauses else []
        query = Q(
            "bool", must=must, filter=[audience_query(audience, now), *_filter_queries(filters)]
        )
        return self._search().query(query).source(["story_id"])

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
        """Word matches (ranked) and passages close in meaning (filtered kNN: the consent and
        the chosen filters inside the kNN query) fused by reciprocal rank (search.fusion)."""
        allowed = [audience_query(audience, now), *_filter_queries(filters)]
        words = self._word_search(audience=audience, parsed=parsed, filters=filters, now=now)
        words = words.extra(track_total_hits=True)[: offset + limit]
        _facet_aggs(words)
        knn = (
            self._search()
            .source(False)
            .extra(
                knn={
                    "field": "passages.vector",
                    "query_vector": [float(x) for x in parsed.vector],
                    "k": fusion.MEANING_K,
                    "num_candidates": 4 * fusion.MEANING_K,
                    "filter": [f.to_dict() for f in allowed],
                    "inner_hits": {
                        "size": 1,
                        "_source": ["passages.text", "passages.start", "passages.char_start"],
                    },
                }
            )[: fusion.MEANING_K]
        )
        both: MultiSearch[StoryDocument] = MultiSearch(using=self.client, index=self.alias)
        if parsed.clauses:
            both = both.add(words)
        answers = _execute_all(both.add(knn), self.url)
        if not answers:  # no index yet: nothing indexed
            return RawResults(total=0, hits=[], facets={facet: {} for facet in FACET_FIELDS})
        found, near = answers if parsed.clauses else (None, answers[0])
        word_ids = [int(h.meta.id) for h in found.hits] if found is not None else []
        word_total = found.hits.total.value if found is not None else 0
        # Elasticsearch scores cosine similarity as (1 + cosine) / 2.
        meant = fusion.keep_close([(int(h.meta.id), 2 * h.meta.score - 1) for h in near.hits])
        by_meaning = {int(h.meta.id): _meaning_moments(h, parsed) for h in near.hits}
        extra = self._not_word_matches(
            [sid for sid, _ in meant if sid not in set(word_ids)],
            parsed=parsed,
            audience=audience,
            filters=filters,
            now=now,
            everything_seen=word_total <= len(word_ids),
        )
        fused = fusion.rrf(word_ids, [sid for sid, _ in meant])
        page = fused[offset : offset + limit]
        said = [sid for sid, _ in page if sid not in extra]
        moments = self._moments(said, parsed) if said and parsed.snippet_phrases else {}
        hits = [
            RawHit(story_id=sid, score=score, moments=moments.get(sid) or by_meaning.get(sid, []))
            for sid, score in page
        ]
        facets = _facet_counts(found) if found is not None else {f: {} for f in FACET_FIELDS}
        if extra:
            for facet, counts in self._facets_of(sorted(extra)).items():
                for key, n in counts.items():
                    facets[facet][key] = facets[facet].get(key, 0) + n
        return RawResults(total=word_total + len(extra), hits=hits, facets=facets)

    def _not_word_matches(
        self,
        ids: list[int],
        *,
        parsed: ParsedQuery,
        audience: Audience,
        filters: dict[str, list[str]],
        now: datetime.datetime,
        everything_seen: bool,
    ) -> set[int]:
        """Which of these meaning matches the words do not match (those the page adds)."""
        if not ids or everything_seen or not parsed.clauses:
            return set(ids)  # all the word matches were seen, or there are none
        search = self._word_search(audience=audience, parsed=parsed, filters=filters, now=now)
        search = search.filter("ids", values=[str(i) for i in ids])[: len(ids)]
        matched = {int(h.meta.id) for h in _execute(search.source(False), self.url).hits}
        return set(ids) - matched

    def _facets_of(self, ids: list[int]) -> dict[str, dict[str, int]]:
        search = self._search().filter("ids", values=[str(i) for i in ids]).source(False)[:0]
        _facet_aggs(search)
        return _facet_counts(_execute(search, self.url))

    def _moments(self, story_ids: list[int], parsed: ParsedQuery) -> dict[int, list[RawMoment]]:
        """The passages of these stories (one page of hits) that say what was asked, asked
        for once the page is known: matching passages inside the search itself joined every
        passage of every matching story, where only a page of them is shown."""
        query = Q(
            "bool",
            filter=[Q("ids", values=[str(i) for i in story_ids])],
            must=[_moments_query(parsed)],
        )
        search = self._search().query(query).source(["story_id"])[: len(story_ids)]
        try:
            response = _execute(search, self.url)
        except NotFoundError:
            return {}
        found: dict[int, list[RawMoment]] = {}
        for hit in response.hits:
            inner = getattr(hit.meta, "inner_hits", None)
            if inner is None or "passages" not in inner:
                continue
            found[int(hit.story_id)] = [
                RawMoment(
                    text=textmod.highlight(
                        getattr(passage, "text", "") or "",
                        parsed.mark_stems,
                        size=SNIPPET_CHARS,
                        languages=parsed.languages,
                    ),
                    start=getattr(passage, "start", None),
                    char_start=getattr(passage, "char_start", None),
                )
                for passage in inner["passages"].hits
            ]
        return found

    def suggest_titles(
        self,
        *,
        audience: Audience,
        done: list[str],
        prefix: str,
        limit: int,
        now: datetime.datetime,
    ) -> list[tuple[int, str]]:
        filters = [audience_query(audience, now)]
        filters += [Q("term", title_words=w) for w in done]
        if prefix:
            filters.append(Q("prefix", title_words=prefix))
        search = (
            self._search()
            .query(Q("bool", filter=filters))
            .source(["story_id", "title"])
            # Elasticsearch takes {field: order}; the client's hints name only {field: {...}}.
            .sort({"date": "desc"}, {"story_id": "desc"})[:limit]  # type: ignore[dict-item]
        )
        try:
            return [(int(h.story_id), h.title) for h in _execute(search, self.url).hits]
        except NotFoundError:
            return []

    def related(
        self, *, audience: Audience, doc: StoryDoc, limit: int, now: datetime.datetime
    ) -> list[int]:
        should = [
            Q(
                "more_like_this",
                fields=["all_stem"],
                like=doc.all_stem[:50_000],
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=25,
                minimum_should_match="30%",
            )
        ]
        if doc.theme_ids:
            should.append(Q("terms", theme_ids=[str(t) for t in doc.theme_ids], boost=3))
        if doc.value_ids:
            should.append(Q("terms", value_ids=[str(v) for v in doc.value_ids], boost=1))
        query = Q(
            "bool",
            should=should,
            minimum_should_match=1,
            filter=[audience_query(audience, now)],
            must_not=[Q("ids", values=[str(doc.story_id)])],
        )
        search = self._search().query(query).source(["story_id"])[:limit]
        # Elasticsearch takes {field: order}; the client's hints name only {field: {...}}.
        search = search.sort("_score", {"date": "desc"}, {"story_id": "desc"})  # type: ignore[dict-item]
        try:
            return [int(h.story_id) for h in _execute(search, self.url).hits]
        except NotFoundError:
            return []

    def related_many(
        self, *, audience: Audience, docs: list[StoryDoc], limit: int, now: datetime.datetime
    ) -> dict[int, list[int]]:
        """`related` of each story (drains, rebuilds)."""
        return {
            doc.story_id: self.related(audience=audience, doc=doc, limit=limit, now=now)
            for doc in docs
        }

    def neighbours_many(
        self,
        *,
        audience: Audience,
        vectors: dict[int, Any],
        limit: int,
        now: datetime.datetime,
    ) -> dict[int, list[int]]:
        """For each story of `vectors`, the stories `audience` may see with passages nearest
        in meaning to it (filtered kNN: the consent filter inside the kNN query, the story
        itself left out), kept by search.fusion.keep_close; one multi-search for the batch."""
        if not vectors:
            return {}
        asked = list(vectors)
        searches: MultiSearch[StoryDocument] = MultiSearch(using=self.client, index=self.alias)
        for story_id in asked:
            allowed = Q(
                "bool",
                filter=[audience_query(audience, now)],
                must_not=[Q("ids", values=[str(story_id)])],
            )
            searches = searches.add(
                self._search()
                .source(False)
                .extra(
                    knn={
                        "field": "passages.vector",
                        "query_vector": [float(x) for x in vectors[story_id]],
                        "k": fusion.MEANING_K,
                        "num_candidates": 4 * fusion.MEANING_K,
                        "filter": [allowed.to_dict()],
                    }
                )[: fusion.MEANING_K]
            )
        answers = _execute_all(searches, self.url)
        if not answers:  # no index yet
            return {sid: [] for sid in asked}
        found: dict[int, list[int]] = {}
        for story_id, answer in zip(asked, answers, strict=True):
            # Elasticsearch scores cosine similarity as (1 + cosine) / 2.
            scored = [(int(h.meta.id), 2 * h.meta.score - 1) for h in answer.hits]
            found[story_id] = [sid for sid, _ in fusion.keep_close(scored)][:limit]
        return found


def _failed(item: dict) -> bool:
    (_op, info), *_ = item.items()
    return int(info.get("status", 500)) >= 300


def _refused(items: Iterable[dict]) -> dict[int, str]:
    """The stories of failed bulk items, with the reason; a newer copy already there (409)
    or nothing to delete (404 on a delete) is no failure."""
    errors: dict[int, str] = {}
    for item in items:
        (op, info), *_ = item.items()
        status = info.get("status")
        if status == 409 or (op == "delete" and status == 404):
            continue
        errors[int(info["_id"])] = str(info.get("error") or status)[:2000]
    return errors


def _settle(future: concurrent.futures.Future[dict[int, str]]) -> None:
    errors = future.result()
    if errors:
        raise Unavailable(f"Elasticsearch refused {len(errors)} stories: {errors}")


def _can_fork(build: Callable) -> bool:
    """Whether a rebuild may build in other processes: they read the database on their own
    connections, so only committed data on PostgreSQL (not inside a transaction, as tests
    are, nor an in-memory SQLite database), with a build function they can be sent."""
    if settings.SEARCH_REBUILD_PROCESSES < 2 or connection.vendor != "postgresql":
        return False
    if connection.in_atomic_block or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        pickle.dumps(build)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _builder_started() -> None:
    """In a builder process: close its own database connection when it ends, and leave what
    it inherited out of garbage collection (never scanned, never copied by a scan)."""
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)
    gc.freeze()


def bulk_body(
    build: Callable[[list[int]], tuple[list[StoryDoc], list[int]]], ids: list[int], target: str
) -> bytes:
    """A bulk request body (NDJSON) indexing these stories into `target` (a builder's work)."""
    version = _now_version()  # before the database is read, as for every write
    # A batch makes hundreds of thousands of short-lived objects, freed as they go; collecting
    # garbage among them cost a quarter of the build: the collector runs between batches.
    gc.disable()
    try:
        return _bulk_lines(build(ids)[0], version, target)
    finally:
        gc.enable()


def _bulk_lines(docs: list[StoryDoc], version: int, target: str) -> bytes:
    lines = []
    for doc in docs:
        action = {"_index": target, "_id": str(doc.story_id), "version": version}
        action["version_type"] = "external"
        lines.append(orjson.dumps({"index": action}))
        lines.append(orjson.dumps(source_of(doc)))
    lines.append(b"")
    return b"\n".join(lines)


def _execute(search: Search[StoryDocument], url: str):
    """Run a search; NotFoundError (no index yet: nothing indexed) is left to the caller."""
    try:
        return search.execute()
    except NotFoundError:
        raise
    except (TransportError, ApiError) as exc:
        raise Unavailable(
            f"Search is unavailable: Elasticsearch at {url} did not answer "
            f"({exc.__class__.__name__}). Try again in a minute."
        ) from exc


def audience_query(audience: Audience, now: datetime.datetime) -> Query:
    """The visibility rule as a filter: one clause per grant of `stories.visibility`."""
    live = Q(
        "bool",
        should=[
            Q("bool", must_not=[Q("exists", field="consent_expires_at")]),
            Q("range", consent_expires_at={"gt": now.isoformat()}),
        ],
        minimum_should_match=1,
    )
    unsealed = Q(
        "bool",
        should=[
            Q("bool", must_not=[Q("exists", field="sealed_until")]),
            Q("range", sealed_until={"lte": now.date().isoformat()}),
        ],
        minimum_should_match=1,
    )
    grants = []
    for grant in audience_grants(audience):
        parts = []
        if grant.marker is not None:
            parts.append(Q("term", audiences=grant.marker))
        if grant.owner_id is not None:
            parts.append(Q("term", owner_id=str(grant.owner_id)))
        if grant.project_ids is not None:
            if not grant.project_ids:
                continue
            parts.append(Q("terms", project_id=[str(p) for p in sorted(grant.project_ids)]))
        if grant.live:
            parts.append(live)
        if grant.unsealed:
            parts.append(unsealed)
        grants.append(Q("bool", filter=parts))
    return Q(
        "bool",
        should=grants,
        minimum_should_match=1,
        must_not=[Q("term", status="withdrawn")],
    )


def _phrase(field: str, phrase: str, boost: float = 1.0) -> Query:
    if " " in phrase:
        return Q("match_phrase", **{field: {"query": phrase, "boost": boost}})
    return Q("term", **{field: {"value": phrase, "boost": boost}})


def _clause_query(clause) -> Query:
    should = []
    for phrase in clause.phrases:
        if not phrase.startswith("tag"):
            should.append(_phrase("title_stem", phrase, 3.0))
            should.append(_phrase("summary_stem", phrase, 2.0))
        should.append(_phrase("all_stem", phrase, 1.0))
    return Q("bool", should=should, minimum_should_match=1)


def _moments_query(parsed: ParsedQuery) -> Query:
    """Passages that say what was asked (or carry a chosen code), returned as inner hits with
    their words, to be highlighted here."""
    return Q(
        "nested",
        path="passages",
        score_mode="max",
        query=Q(
            "bool",
            should=[_phrase("passages.stem", p) for p in parsed.snippet_phrases],
            minimum_should_match=1,
        ),
        inner_hits={
            "size": SNIPPETS_PER_STORY,
            "_source": ["passages.n", "passages.start", "passages.char_start", "passages.text"],
        },
    )


def _words_query(parsed: ParsedQuery) -> Query:
    return Q(
        "bool",
        should=[_clause_query(c) for c in parsed.clauses],
        minimum_should_match=parsed.required,
    )


def _facet_aggs(search: Search[StoryDocument]) -> None:
    for facet, (field, size) in FACET_FIELDS.items():
        search.aggs.bucket(facet, "terms", field=field, size=size)


def _facet_counts(response) -> dict[str, dict[str, int]]:
    return {
        facet: {str(b.key): b.doc_count for b in getattr(response.aggregations, facet).buckets}
        for facet in FACET_FIELDS
    }


def _meaning_moments(hit, parsed: ParsedQuery) -> list[RawMoment]:
    """The passage kNN found closest in a story, marked where it says the query's words."""
    inner = getattr(hit.meta, "inner_hits", None)
    if inner is None or "passages" not in inner:
        return []
    return [
        RawMoment(
            text=textmod.highlight(
                getattr(passage, "text", "") or "",
                parsed.mark_stems,
                size=SNIPPET_CHARS,
                languages=parsed.languages,
            ),
            start=getattr(passage, "start", None),
            char_start=getattr(passage, "char_start", None),
        )
        for passage in inner["passages"].hits[:1]
    ]


def _execute_all(search: MultiSearch[StoryDocument], url: str) -> list:
    """Run a multi-search: its responses, or none when there is no index yet; other errors
    as `_execute`."""
    try:
        responses = search.execute(raise_on_error=True)
    except (TransportError, ApiError) as exc:
        if "index_not_found_exception" in str(getattr(exc, "body", "")):
            return []
        raise Unavailable(
            f"Search is unavailable: Elasticsearch at {url} did not answer "
            f"({exc.__class__.__name__}). Try again in a minute."
        ) from exc
    return list(responses)


def _filter_queries(filters: dict[str, list[str]]) -> list[Query]:
    return [Q("terms", **{FACET_FIELDS[facet][0]: keys}) for facet, keys in filters.items() if keys]


def _sort(sort: str, scored: bool) -> list:
    if sort == "oldest":
        return [{"date": "asc"}, {"story_id": "asc"}]
    if sort == "newest" or not scored:
        return [{"date": "desc"}, {"story_id": "desc"}]
    return ["_score", {"date": "desc"}, {"story_id": "desc"}]
