"""No search answer ever exposes a story beyond its consent, on either backend (hypothesis).

Random stories with random consent histories are indexed; for every audience, the results,
totals, facet counts, snippets, suggestions and related stories (those sharing codes and those
near in meaning, kept or asked for) must all stay within what the one visibility rule
(`Story.objects.visible_to`) allows. The backends are asked directly as
well as through search.api, so that nothing relies on the stories being loaded afterwards.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from coding.models import Tag
from search.api import related_stories, search_stories, suggest
from search.backends import get_backend
from search.documents import build_docs
from search.models import PassageVector, RelatedCandidate
from search.query import parse_query
from search.related import KINDS
from search.services import index_stories
from search.vectors import story_means
from stories.models import Project, ProjectMembership, Story, StoryStatus
from stories.visibility import PUBLIC_AUDIENCE, audience_for, story_parts
from tests.consent_histories import cast_users, consent_history
from tests.search_support import theme

consent_rows = st.fixed_dictionaries(
    {
        "archive": st.booleans(),
        "researchers": st.booleans(),
        "public": st.booleans(),
        "quotes_allowed": st.booleans(),
        "withdrawn": st.booleans(),
        "expires_in": st.one_of(st.none(), st.integers(-30, 30).filter(lambda d: d != 0)),
        "sealed_for": st.one_of(st.none(), st.integers(-30, 30).filter(lambda d: d != 0)),
    }
).map(lambda c: {**c, "archive": c["archive"] or c["researchers"] or c["public"]})

story_specs = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(list(StoryStatus)),
            "history": st.lists(consent_rows, min_size=0, max_size=3),
            "teller": st.sampled_from(["ann", "ben"]),
            "in_project": st.booleans(),
            "tagged": st.booleans(),
            "kind": st.sampled_from(["text", "audio"]),
        }
    ),
    min_size=1,
    max_size=6,
)


class ConsentInEverySearchAnswer(TestCase):
    """The checks; the subclasses below run them on each backend."""

    @classmethod
    def setUpTestData(cls):
        cls.users = cast_users(
            {
                "ann": ("storyteller",),
                "ben": ("storyteller",),
                "contributor": ("contributor",),
                "researcher": ("researcher",),
                "curator": ("curator",),
                "both": ("researcher", "contributor"),
            }
        )
        cls.project = Project.objects.create(name="In", slug="in")
        cls.other = Project.objects.create(name="Out", slug="out")
        ProjectMembership.objects.create(project=cls.project, user=cls.users["contributor"])
        ProjectMembership.objects.create(project=cls.project, user=cls.users["both"])
        cls.theme = theme("Gardens", "allotment")

    def make(self, specs) -> list[Story]:
        now = timezone.now()
        made = []
        for i, spec in enumerate(specs):
            story = Story.objects.create(
                title=f"Garden story {i}",
                kind=spec["kind"],
                status=spec["status"],
                storyteller=self.users[spec["teller"]],
                project=self.project if spec["in_project"] else self.other,
                text_body=f"We dug the garden plot number {i} together.",
                told_on=datetime.date(2000 + i, 1, 1),
            )
            consent_history(story, spec["history"], now)
            if spec["tagged"]:
                Tag.objects.create(story=story, theme=self.theme)
            made.append(story)
        return made

    def check(self, backend_name: str, specs) -> None:
        with override_settings(SEARCH_BACKEND=backend_name):
            backend = get_backend()
            made = self.make(specs)
            ids = [s.pk for s in made]
            try:
                assert not index_stories(story_ids=ids)
                backend.refresh()
                # Nothing of a story out of the index (withdrawn…) stays in any vector.
                _docs, gone = build_docs(ids)
                assert not PassageVector.objects.filter(story_id__in=gone).exists()
                self.check_every_audience(backend, made)
            finally:
                backend.apply([], ids)
                backend.refresh()

    def check_every_audience(self, backend, made: list[Story]) -> None:
        now = timezone.now()
        audiences = {"public": PUBLIC_AUDIENCE}
        audiences.update({name: audience_for(u) for name, u in self.users.items()})
        titles = {s.pk: s.title for s in made}
        for name, audience in audiences.items():
            allowed = set(Story.objects.visible_to(audience).values_list("pk", flat=True))
            where = f"{name} (allowed {sorted(allowed)})"

            for text in ("gardens", ""):
                parsed = parse_query(text)
                raw = backend.search(
                    audience=audience,
                    parsed=parsed,
                    filters={},
                    sort="relevance",
                    offset=0,
                    limit=50,
                    now=now,
                )
                assert {h.story_id for h in raw.hits} == allowed, where
                assert raw.total == len(allowed), where
                for facet in ("kind", "year", "project"):
                    assert sum(raw.facets.get(facet, {}).values()) == len(allowed), where
                tagged = Tag.objects.filter(story_id__in=allowed).count()
                assert sum(raw.facets.get("theme", {}).values()) == tagged, where

            results = search_stories(audience=audience, query="garden", per_page=50)
            assert {h.story.pk for h in results.hits} == allowed, where
            assert results.total == len(allowed)
            for hit in results.hits:
                quotes = story_parts(audience, hit.story).quotes
                assert hit.snippets, where
                for snippet in hit.snippets:
                    assert (snippet.html is not None) == quotes, where

            themed = search_stories(audience=audience, filters=None, query="allotment")
            assert {h.story.pk for h in themed.hits} <= allowed, where

            # By meaning (no word of it is in the stories) and fused with words: the same rule.
            for text in ("we worked the soil of our plot", "garden digging"):
                meant = search_stories(audience=audience, query=text, per_page=50)
                assert {h.story.pk for h in meant.hits} <= allowed, where
                assert meant.total <= len(allowed), where
                for facet in ("kind", "year", "project"):
                    assert sum(f.count for f in meant.facets.get(facet, [])) <= len(allowed)
                for hit in meant.hits:
                    quotes = story_parts(audience, hit.story).quotes
                    for snippet in hit.snippets:
                        assert (snippet.html is not None) == quotes, where

            offered = backend.suggest_titles(
                audience=audience, done=[], prefix="gard", limit=50, now=now
            )
            assert {sid for sid, _ in offered} == allowed, where
            labels = {s.label for s in suggest(audience=audience, prefix="garden st", limit=50)}
            assert labels == {titles[pk] for pk in allowed}, where

            for story in made:
                related = related_stories(audience=audience, story=story, limit=20)
                if story.pk not in allowed:
                    assert related == [], where
                assert {r.pk for r in related} <= allowed - {story.pk}, where

            # Similar stories by meaning, asked of the backend directly.
            means = story_means([s.pk for s in made])
            near = backend.neighbours_many(audience=audience, vectors=means, limit=20, now=now)
            for story_id, found in near.items():
                assert set(found) <= allowed - {story_id}, where

        # The kept lists hold only stories their kind of audience could see when ranked.
        for kind, audience in KINDS.items():
            allowed = set(Story.objects.visible_to(audience).values_list("pk", flat=True))
            listed = RelatedCandidate.objects.filter(related_list__audience=kind)
            assert set(listed.values_list("story_id", flat=True)) <= allowed, kind


class TestTheDatabaseBackend(ConsentInEverySearchAnswer):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs=story_specs)
    def test_never_exposes_a_story_beyond_its_consent(self, specs):
        self.check("database", specs)


@pytest.mark.elasticsearch
@pytest.mark.usefixtures("es_node")
class TestElasticsearch(ConsentInEverySearchAnswer):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with override_settings(SEARCH_BACKEND="elasticsearch"):
            get_backend().drop()

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs=story_specs)
    def test_never_exposes_a_story_beyond_its_consent(self, specs):
        self.check("elasticsearch", specs)
