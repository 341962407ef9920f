"""Similar stories by meaning: stories that say the same thing in other words (or another
language) are related, with no theme or word in common, on both backends; the lists are kept
when a story is indexed and read through the visibility rule (search.related)."""

from __future__ import annotations

from django.utils import timezone

from search.api import related_stories
from search.backends import get_backend
from search.models import RelatedList
from search.related import WIDE_AUDIENCE
from search.vectors import story_means
from stories.models import Story
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex

LONELY = "For months I had nobody to talk to and the days felt empty and lonely."
ISOLATED = "No one came to visit; I spent that whole winter shut in on my own."
SPANISH = "Pasé meses sin hablar con nadie, me sentía muy sola en casa."
PLAYGROUND = "The parents and the council rebuilt the school playground last spring."


def kept(story, kind: str) -> list[int]:
    found = RelatedList.objects.get(story=story, audience=kind)
    return list(found.candidates.order_by("rank").values_list("story_id", flat=True))


def test_stories_that_mean_the_same_are_related_without_a_shared_word_or_theme(
    search_backend, make_story
):
    lonely = make_story(title="Winter", text=LONELY)
    isolated = make_story(title="Shut in", text=ISOLATED)
    spanish = make_story(title="Sola", text=SPANISH)
    Story.objects.filter(pk=spanish.pk).update(language="es")
    playground = make_story(title="Playground", text=PLAYGROUND)
    reindex(lonely, isolated, spanish, playground)

    public = kept(lonely, "public")
    assert isolated.pk in public
    assert spanish.pk in public
    assert playground.pk not in public
    shown = related_stories(audience=PUBLIC_AUDIENCE, story=lonely, limit=3)
    assert isolated in shown and playground not in shown


def test_meaning_neighbours_keep_to_the_audience(search_backend, make_story):
    lonely = make_story(title="Winter", text=LONELY)
    hidden = make_story(title="Shut in", text=ISOLATED, status="approved")  # not public
    reindex(lonely, hidden)

    assert hidden.pk not in kept(lonely, "public")
    assert hidden.pk in kept(lonely, "wide")
    means = story_means([lonely.pk])
    now = timezone.now()
    backend = get_backend()
    near = backend.neighbours_many(audience=PUBLIC_AUDIENCE, vectors=means, limit=12, now=now)
    assert near == {lonely.pk: []}
    wide = backend.neighbours_many(audience=WIDE_AUDIENCE, vectors=means, limit=12, now=now)
    assert wide == {lonely.pk: [hidden.pk]}
    # Withdrawn since it was kept: gone at once from what the page reads.
    Story.objects.filter(pk=hidden.pk).update(status="withdrawn")
    assert related_stories(audience=WIDE_AUDIENCE, story=lonely) == []
