"""The codebook panel on the coding screen: values in their two groups, themes in their
hierarchy, each with its colour and counts for this story and for every story the viewer may
see (never a story they may not)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding.codebook import codebook
from coding.models import Tag
from coding.services import Excerpt, tag_create, theme_create
from stories.models import Story, Value
from stories.visibility import audience_for
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db


def entry_of(book, key):
    stack = [e for _, entries in book.groups for e in entries] + list(book.themes)
    while stack:
        entry = stack.pop()
        if entry.key == key:
            return entry
        stack.extend(entry.children)
    raise KeyError(key)


def test_counts_here_and_in_all_through_the_visibility_rule(make_story, contributor):
    equality = Value.objects.get(slug="equality")
    story = recorded_story(make_story, title="Seen")
    other = recorded_story(make_story, title="Also seen")
    withheld = {"archive": False, "researchers": False, "public": False}
    hidden = recorded_story(make_story, title="Withheld", consent=withheld)
    assert not Story.objects.visible_to(audience_for(contributor)).filter(pk=hidden.pk).exists()
    for s, times in ((story, (4, 15)), (story, (15, 21)), (other, (0, 4))):
        tag_create(story=s, actor=contributor, code=equality, excerpt=Excerpt.times(*times))
    Tag.objects.create(story=hidden, value=equality, created_by=contributor)
    book = codebook(audience_for(contributor), list(story.tags.all()))
    entry = entry_of(book, f"value:{equality.pk}")
    assert (entry.here, entry.overall) == (2, 3)
    assert [label for label, _ in book.groups] == [
        "What co-production is meant to achieve",
        "How co-production should be conducted",
    ]
    assert sum(len(entries) for _, entries in book.groups) == 18


def test_themes_nest_under_their_parents(make_story, contributor):
    parent = theme_create(name="Being heard")
    child = theme_create(name="Listened to by the council")
    child.parent = parent
    child.save()
    book = codebook(audience_for(contributor), [])
    top = {e.name: e for e in book.themes}
    assert "Listened to by the council" not in top
    assert [c.name for c in top["Being heard"].children] == ["Listened to by the council"]


def test_the_coding_screen_shows_the_codebook_with_a_filter(client, make_story, contributor):
    story = recorded_story(make_story)
    equality = Value.objects.get(slug="equality")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15))
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    assert 'id="codebook-heading">Codebook' in page
    assert 'label for="codebook-filter"' in page
    assert re.search(
        r"Equality \(and shifts in power differentials\)</span>\s*"
        r'<span class="codebook-counts">1 here · 1 in all',
        page,
    )
