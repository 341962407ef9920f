"""Fixtures and helpers shared by the search tests (a pytest plugin named in conftest.py).

`es_node` fails loudly, never skips, when Elasticsearch is not running.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from coding.models import Tag
from search.backends import ElasticsearchBackend, get_backend
from search.services import index_stories
from stories.models import Segment, Theme, ThemeSynonym, Transcript, Value

START_IT = "start it with scripts/elasticsearch.sh start"


@pytest.fixture(scope="session")
def es_node():
    """A healthy node at ELASTICSEARCH_URL, or a loud failure that says how to start one."""
    url = django_settings.ELASTICSEARCH_URL
    if not url:
        raise RuntimeError(
            f"ELASTICSEARCH_URL is empty: {START_IT} and set it to the URL it prints."
        )
    backend = ElasticsearchBackend(url=url)
    try:
        health = backend.client.cluster.health(wait_for_status="yellow", timeout="30s")
    except Exception as exc:
        raise RuntimeError(
            f"Elasticsearch is not reachable at {url} ({exc.__class__.__name__}): {START_IT}."
        ) from exc
    if health["status"] not in ("green", "yellow"):
        raise RuntimeError(f"Elasticsearch at {url} is {health['status']}: {START_IT} again.")
    return url


@pytest.fixture
def es_backend(es_node, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    backend = ElasticsearchBackend()
    backend.drop()
    yield backend
    backend.drop()


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def search_backend(request, settings, db):
    """Each contract test runs once on each backend."""
    if request.param == "elasticsearch":
        return request.getfixturevalue("es_backend")
    settings.SEARCH_BACKEND = "database"
    return get_backend("database")


def reindex(*stories) -> None:
    """Index these stories now and make them searchable (what the outbox drain does)."""
    backend = get_backend()
    errors = index_stories(story_ids=[s.pk for s in stories])
    assert not errors, errors
    backend.refresh()


def add_transcript(story, lines: list[tuple[float, float, str]]) -> Transcript:
    transcript = Transcript.objects.create(story=story, language="en", engine="import")
    Segment.objects.bulk_create(
        Segment(transcript=transcript, index=i, start=a, end=b, text=text)
        for i, (a, b, text) in enumerate(lines)
    )
    return transcript


def theme(name: str, *synonyms: str) -> Theme:
    found = Theme.objects.create(name=name)
    for synonym in synonyms:
        ThemeSynonym.objects.create(theme=found, name=synonym)
    return found


def value(number: int) -> Value:
    return Value.objects.get(number=number)


def tag(story, code, *, start: float | None = None, end: float | None = None, **extra) -> Tag:
    field = "theme" if isinstance(code, Theme) else "value"
    return Tag.objects.create(
        story=story, start_seconds=start, end_seconds=end, **{field: code}, **extra
    )
