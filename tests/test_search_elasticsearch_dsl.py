"""Indexing and querying through elasticsearch.dsl against the real node, and the index's shape."""

from __future__ import annotations

import datetime

import pytest
from elasticsearch.dsl import Q

from search.backends.elastic import MAPPING_VERSION, StoryDocument
from search.documents import PassageDoc, StoryDoc

pytestmark = pytest.mark.elasticsearch


def doc(story_id: int, title: str, passages: list[tuple[float, str, str]], **extra) -> StoryDoc:
    fields = {
        "story_id": story_id,
        "title": title,
        "summary": "",
        "kind": "audio",
        "language": "en",
        "status": "published",
        "owner_id": 1,
        "project_id": None,
        "date": datetime.date(2024, 3, 1),
        "year": 2024,
        "published_at": None,
        "value_ids": [],
        "value_groups": [],
        "theme_ids": [],
        "collection_ids": [],
        "audiences": ["archive", "public"],
        "consent_expires_at": None,
        "sealed_until": None,
        "title_words": title.lower().split(),
        "title_stem": title.lower(),
        "summary_stem": "",
        "all_stem": " ".join(stem for _, _, stem in passages),
        "passages": [
            PassageDoc(n=i, text=text, stem=stem, start=start)
            for i, (start, text, stem) in enumerate(passages)
        ],
    }
    fields.update(extra)
    return StoryDoc(**fields)


def test_documents_index_and_query_through_the_dsl(es_backend):
    es_backend.ensure_index()
    client = es_backend.client
    StoryDocument.from_doc(
        doc(
            1,
            "Buses",
            [(0.0, "The buses stopped.", "the bus stop"), (7.5, "We walked.", "we walk")],
        )
    ).save(using=client, index=es_backend.alias, refresh=True)
    StoryDocument.from_doc(
        doc(2, "Walks", [(3.0, "Walking to work.", "walk to work")], kind="text")
    ).save(using=client, index=es_backend.alias, refresh=True)

    search = (
        StoryDocument.search(using=client, index=es_backend.alias)
        .query(
            Q(
                "nested",
                path="passages",
                query=Q("term", passages__stem="walk"),
                inner_hits={"_source": ["passages.start", "passages.text"]},
            )
        )
        .sort("story_id")
    )
    search.aggs.bucket("kinds", "terms", field="kind")
    response = search.execute()

    assert [h.story_id for h in response.hits] == [1, 2]
    assert isinstance(response.hits[0], StoryDocument)
    moment = response.hits[0].meta.inner_hits.passages.hits[0]
    assert moment.start == 7.5
    assert moment.text == "We walked."
    assert {b.key: b.doc_count for b in response.aggregations.kinds.buckets} == {
        "audio": 1,
        "text": 1,
    }
    fetched = StoryDocument.get(id=2, using=client, index=es_backend.alias)
    assert fetched.title == "Walks"


def test_the_index_is_versioned_and_needs_no_analysis_modules(es_backend):
    es_backend.ensure_index()
    [name] = es_backend.aliased(es_backend.alias)
    assert name == f"{es_backend.prefix}-stories-v{MAPPING_VERSION}"
    mapping = es_backend.client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["_meta"] == {"mapping_version": MAPPING_VERSION}
    assert mapping["dynamic"] == "strict"
    analyzers = set()

    def walk(properties: dict) -> None:
        for field in properties.values():
            if "analyzer" in field:
                analyzers.add(field["analyzer"])
            walk(field.get("properties", {}))

    walk(mapping["properties"])
    assert analyzers == {"standard", "whitespace"}  # both built into the server itself
    passages = mapping["properties"]["passages"]
    assert passages["type"] == "nested"
    # The words of a passage are shown (highlighted in Python), never matched: not indexed.
    assert passages["properties"]["text"]["index"] is False
    settings = es_backend.client.indices.get_settings(index=name)[name]["settings"]["index"]
    assert settings["mapping"]["nested_objects"]["limit"] == "200000"
