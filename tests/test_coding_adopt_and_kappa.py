"""Adopting another coder's tag (one's own tag, same code and span), and kappa in plain words
beside the number on the agreement page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import agreement
from coding.models import Tag
from coding.services import CodingError, Excerpt, tag_adopt, tag_create
from stories.models import Value
from tests.coding_helpers import recorded_story, second_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


def test_adopting_makes_ones_own_tag_with_the_same_code_and_span(
    make_story, contributor, django_user_model, project, equality
):
    story = recorded_story(make_story)
    cora = second_contributor(django_user_model, project)
    theirs = tag_create(
        story=story, actor=cora, code=equality, excerpt=Excerpt.times(5.0, 10.2), memo="Mine."
    )
    mine = tag_adopt(tag=theirs, actor=contributor)
    assert mine.created_by == contributor and mine.code == equality
    assert (mine.start_seconds, mine.end_seconds) == (theirs.start_seconds, theirs.end_seconds)
    assert mine.memo == ""
    with pytest.raises(CodingError):
        tag_adopt(tag=theirs, actor=contributor)  # already agreed
    with pytest.raises(CodingError):
        tag_adopt(tag=theirs, actor=cora)  # one's own


def test_the_margin_offers_adopt_only_where_it_adds_a_tag(
    client, make_story, contributor, django_user_model, project, equality
):
    story = recorded_story(make_story)
    cora = second_contributor(django_user_model, project)
    theirs = tag_create(story=story, actor=cora, code=equality, excerpt=Excerpt.times(4, 15))
    own = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(15, 21))
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    assert reverse("coding:tag_adopt", args=[theirs.pk]) in page
    assert reverse("coding:tag_adopt", args=[own.pk]) not in page
    response = client.post(reverse("coding:tag_adopt", args=[theirs.pk]))
    assert response.status_code == 302
    adopted = Tag.objects.get(story=story, created_by=contributor, start_seconds=4.0)
    assert response["Location"].endswith(f"#tag-{adopted.pk}")
    page = client.get(reverse("coding:story", args=[story.pk])).content.decode()
    assert reverse("coding:tag_adopt", args=[theirs.pk]) not in page


def test_the_storyteller_cannot_adopt(client, make_story, storyteller, contributor, equality):
    story = recorded_story(make_story)
    theirs = tag_create(story=story, actor=contributor, code=equality)
    client.force_login(storyteller)
    assert client.post(reverse("coding:tag_adopt", args=[theirs.pk])).status_code == 403


def test_eighty_percent_agreement_can_mean_kappa_zero():
    a = [True] + [False] * 9
    b = [False, True] + [False] * 8
    observed = agreement.observed_agreement([a, b])
    chance = agreement.chance_agreement(a, b)
    kappa = agreement.cohen_kappa(a, b)
    assert observed == pytest.approx(0.8) and chance == pytest.approx(0.82)
    words = agreement.kappa_in_words(observed, chance, kappa, unit="segment")
    assert "agree on 80% of the segments" in words and "would give 82%" in words
    assert "no better than chance" in words


def test_the_agreement_page_says_kappa_in_words(
    client, make_story, contributor, django_user_model, project, equality
):
    story = recorded_story(make_story)
    cora = second_contributor(django_user_model, project)
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15))
    tag_create(story=story, actor=cora, code=equality, excerpt=Excerpt.times(9.5, 21))
    client.force_login(contributor)
    page = client.get(reverse("coding:agreement", args=[story.pk])).content.decode()
    assert 'class="kappa-words">They agree on' in page
    assert "Why 80% agreement can mean a kappa of 0" in page
