"""Coloured bands: a colour per value (by group) and theme, bands under the exact words of each
accepted excerpt, and bars on the player's timeline, each named in words."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from coding import bands, units
from coding.colours import code_colour
from coding.services import Excerpt, tag_create, tag_propose, theme_create
from stories.models import Value
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db


def test_values_take_their_groups_palette_and_themes_their_own():
    aims = Value.objects.filter(group="aims").order_by("number")
    conduct = Value.objects.filter(group="conduct").order_by("number")
    assert {code_colour(v).css.rsplit("-", 1)[0] for v in aims} == {"colour-aims"}
    assert {code_colour(v).css.rsplit("-", 1)[0] for v in conduct} == {"colour-conduct"}
    # Neighbouring values of a group differ.
    first, second = list(aims)[:2]
    assert code_colour(first).css != code_colour(second).css
    theme = theme_create(name="Being listened to")
    assert code_colour(theme).css.startswith("colour-theme-")
    assert code_colour(theme).kind == "theme"


def test_bands_sit_under_exactly_the_tagged_words(make_story, contributor, storyteller):
    story = recorded_story(make_story)
    equality = Value.objects.get(slug="equality")
    tag = tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(5.0, 10.2)
    )
    tag_propose(story=story, actor=storyteller, code=equality, excerpt=Excerpt.times(0, 3))
    story_units = units.story_units(story)
    lines = bands.lines(story_units, list(story.tags.all()))
    banded = [b.word.text for line in lines.values() for b in line.words if b.bands]
    assert banded == ["asked", "us", "what", "we", "needed", "at", "first.", "Then"]
    timeline = bands.timeline(story_units, list(story.tags.all()))
    assert timeline is not None and len(timeline.bars) == 1  # the proposal has no band
    bar = timeline.bars[0]
    assert bar.band.tag_id == tag.pk
    assert bar.x == pytest.approx(1000 * 5.0 / 30.0, abs=0.01)


def test_overlapping_excerpts_take_separate_lanes(make_story, contributor):
    story = recorded_story(make_story)
    equality = Value.objects.get(slug="equality")
    human = Value.objects.get(slug="human")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15))
    tag_create(story=story, actor=contributor, code=human, excerpt=Excerpt.times(9.5, 21))
    tag_create(story=story, actor=contributor, code=human, excerpt=Excerpt.times(21, 26))
    timeline = bands.timeline(units.story_units(story), list(story.tags.all()))
    assert timeline is not None
    assert [b.y for b in timeline.bars] == [2, 12, 2]


def test_the_coding_screen_shows_bands_and_the_timeline_with_names(client, make_story, contributor):
    story = recorded_story(make_story)
    story.media.save("town-hall.wav", ContentFile(b"RIFF0000WAVE"), save=True)
    equality = Value.objects.get(slug="equality")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(5.0, 10.2))
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    css = code_colour(equality).css
    assert f'class="band {css} kind-value" title="Equality' in page
    assert 'id="coding-timeline"' in page and "1 coded excerpt," in page
    assert '<span class="swatch kind-value"' in page
    assert f"tag-value {css}" in page or f' {css}"' in page


def test_a_text_story_bands_the_sentences_an_excerpt_touches(client, make_story, contributor):
    text = "We met on Tuesdays. Nobody asked us at first! Then the council listened."
    story = make_story(text=text)
    start = text.index("Nobody")
    tag_create(
        story=story,
        actor=contributor,
        code=Value.objects.get(slug="equality"),
        excerpt=Excerpt.chars(start, start + 6),
    )
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    assert page.count('class="unit-bands"') == 1
