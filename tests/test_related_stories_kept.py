"""Related stories are worked out when a story is drained into search, not on every view.

The drain and `search_reindex` keep each story's best candidates (search.related); a story page
reads them through the visibility rule, so a story withdrawn or unpublished since disappears at
once, before any drain; where no kept list answers, the backend is asked as before.
"""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from public import links
from search import api as search_api
from search.api import related_stories
from search.backends import get_backend
from search.documents import build_docs
from search.models import RelatedCandidate, RelatedList
from search.related import CANDIDATES, WIDE_AUDIENCE, rank_related
from search.services import outbox_drain
from stories import services
from stories.audience import audience_for
from stories.models import StoryChange
from stories.publication import story_unpublish
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import tag, theme, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_backend(settings):
    settings.SEARCH_BACKEND = "database"


def family(make_story):
    """Three public stories and one only researchers see, all on one theme; one stranger."""
    isolation = theme("Isolation")
    alone = make_story(title="Alone at home", text="I was alone at home for weeks.")
    ward = make_story(title="Alone on the ward", text="Alone on the ward, nobody came.")
    door = make_story(title="Knock at the door", text="A neighbour knocked, I was alone.")
    hidden = make_story(title="Alone again", text="Alone again.", status="approved")
    make_story(title="The carnival", text="Music and dancing in the street.")
    for story in (alone, ward, door, hidden):
        tag(story, isolation)
    tag(alone, value(1))
    tag(door, value(1))  # shares a value too: the best related story
    return alone, ward, door, hidden


def kept(story, kind: str) -> list[int]:
    found = RelatedList.objects.get(story=story, audience=kind)
    return list(found.candidates.order_by("rank").values_list("story_id", flat=True))


def ranked_now(story, audience) -> list[int]:
    """What the backend ranks now: shared codes fused with nearness in meaning."""
    docs, _gone = build_docs([story.pk])
    return rank_related(
        backend=get_backend(), audience=audience, docs=docs, limit=CANDIDATES, now=timezone.now()
    )[story.pk]


def test_the_drain_keeps_each_storys_related_stories_as_the_backend_ranks_them(
    search_backend, make_story
):
    alone, ward, door, hidden = family(make_story)
    assert outbox_drain() > 0

    assert kept(alone, "public") == [door.pk, ward.pk]  # not the story researchers alone see
    assert kept(alone, "public") == ranked_now(alone, PUBLIC_AUDIENCE)
    assert set(kept(alone, "wide")) == {door.pk, ward.pk, hidden.pk}
    assert kept(alone, "wide") == ranked_now(alone, WIDE_AUDIENCE)
    assert kept(alone, "wide")[0] == door.pk
    assert RelatedList.objects.filter(story=hidden).count() == 2  # every story has its lists
    # Kept lists of a story the public may not see answer nothing to the public.
    assert related_stories(audience=PUBLIC_AUDIENCE, story=hidden) == []


def test_search_reindex_keeps_them_too(search_backend, make_story):
    alone, ward, door, hidden = family(make_story)
    StoryChange.objects.all().delete()  # nothing drained: the rebuild alone fills the table
    assert not RelatedList.objects.exists()

    call_command("search_reindex", stdout=io.StringIO(), stderr=io.StringIO())

    assert kept(alone, "public") == [door.pk, ward.pk]
    assert set(kept(ward, "wide")) == {alone.pk, door.pk, hidden.pk}
    assert RelatedList.objects.count() == 2 * 5


def test_the_story_page_reads_the_kept_list_without_building_a_document(
    client, database_backend, make_story
):
    alone = family(make_story)[0]
    outbox_drain()

    with mock.patch.object(search_api, "build_docs", wraps=build_docs) as spy:
        page = client.get(links.story_url(alone)).content.decode()
    spy.assert_not_called()
    assert "Knock at the door" in page and "Alone on the ward" in page
    assert "Alone again" not in page  # kept for researchers, never shown to the public


def test_a_story_without_a_kept_list_gets_the_backends_answer_as_before(
    client, database_backend, make_story
):
    alone = family(make_story)[0]
    outbox_drain()
    RelatedList.objects.filter(story=alone).delete()  # say, drained before this version

    with mock.patch.object(search_api, "build_docs", wraps=build_docs) as spy:
        page = client.get(links.story_url(alone)).content.decode()
    spy.assert_called_once()
    assert "Knock at the door" in page and "Alone on the ward" in page


def test_a_full_list_with_too_few_visible_asks_the_backend(
    database_backend, make_story, researcher
):
    alone, ward, door, hidden = family(make_story)
    outbox_drain()
    # A full list whose only candidate the public may not see: the backend answers instead.
    RelatedList.objects.filter(story=alone, audience="public").delete()
    full = RelatedList.objects.create(
        story=alone, audience="public", full=True, computed_at=timezone.now()
    )
    RelatedCandidate.objects.create(related_list=full, rank=0, story=hidden)
    assert [s.pk for s in related_stories(audience=PUBLIC_AUDIENCE, story=alone, limit=2)] == [
        door.pk,
        ward.pk,
    ]
    # Not full: all there is, filtered (nothing the public may see).
    RelatedList.objects.filter(pk=full.pk).update(full=False)
    with mock.patch.object(search_api, "build_docs", wraps=build_docs) as spy:
        assert related_stories(audience=PUBLIC_AUDIENCE, story=alone, limit=2) == []
    spy.assert_not_called()
    # Signed-in readers read the wide list, filtered for them.
    shown = related_stories(audience=audience_for(researcher), story=alone, limit=3)
    assert [s.pk for s in shown] == kept(alone, "wide")[:3]


def test_a_withdrawn_related_story_leaves_every_page_at_once(
    client, database_backend, make_story, storyteller, curator
):
    alone, ward, door, _hidden = family(make_story)
    outbox_drain()
    assert "Knock at the door" in client.get(links.story_url(alone)).content.decode()

    services.consent_withdraw(story=door, actor=storyteller)
    assert StoryChange.objects.filter(story_id=door.pk).exists()  # not drained yet
    page = client.get(links.story_url(alone)).content.decode()
    assert "Knock at the door" not in page
    assert "Alone on the ward" in page
    researcher_sees = related_stories(audience=WIDE_AUDIENCE, story=alone, limit=5)
    assert door.pk not in {s.pk for s in researcher_sees}

    story_unpublish(story=ward, actor=curator)
    assert "Alone on the ward" not in client.get(links.story_url(alone)).content.decode()

    outbox_drain()  # the drain then lets the withdrawn story go from every list
    assert not RelatedCandidate.objects.filter(story=door).exists()
    assert not RelatedList.objects.filter(story=door).exists()
    # A list kept before the unpublishing still names it: the rule at read time hides it.
    assert ward.pk in kept(alone, "public")
    assert ward.pk not in {s.pk for s in related_stories(audience=PUBLIC_AUDIENCE, story=alone)}


def test_many_at_once_ranks_as_one_at_a_time(database_backend, make_story):
    """The database backend's bulk ranking (drains, rebuilds) is its `related`, story by story."""
    stories = family(make_story)
    extra = make_story(title="Values only", text="Coffee mornings.")
    tag(extra, value(1))
    tag(extra, value(2))
    tag(stories[1], value(2))
    outbox_drain()
    backend = get_backend()
    docs, _gone = build_docs([s.pk for s in (*stories, extra)])
    for audience in (PUBLIC_AUDIENCE, WIDE_AUDIENCE):
        now = timezone.now()
        many = backend.related_many(audience=audience, docs=docs, limit=3, now=now)
        one = {
            d.story_id: backend.related(audience=audience, doc=d, limit=3, now=now) for d in docs
        }
        assert many == one
