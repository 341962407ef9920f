"""Agreement per code for a story two people coded, matching a hand computation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import reads
from coding.services import Excerpt, tag_accept, tag_create, tag_propose
from stories.models import Value
from tests.coding_helpers import recorded_story, second_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(make_story, contributor, django_user_model, project):
    """Six segments. Connor tags segments 1-2 with Equality, Cora tags segments 2-3.

    Per segment (Connor, Cora): (1,0) (1,1) (0,1) (0,0) (0,0) (0,0).
    Observed agreement: segments 2, 4, 5, 6 = 4/6 = 67%.
    Kappa: each said yes on 2 of 6, so p_e = (2/6)^2 + (4/6)^2 = 20/36;
    p_o = 24/36; kappa = (24/36 - 20/36) / (1 - 20/36) = 4/16 = 0.25.
    Alpha: o(1,1) = 2 (segment 2), o(0,0) = 3 x 2 = 6, o(1,0) = o(0,1) = 2 (segments 1, 3);
    n_1 = 4, n_0 = 8, n = 12; alpha = 1 - 11 * 4 / (2 * 4 * 8) = 1 - 44/64 = 0.3125.
    Both also tagged segment 5 with Human: perfect agreement, kappa and alpha 1.
    """
    story = recorded_story(make_story)
    cora = second_contributor(django_user_model, project)
    equality = Value.objects.get(slug="equality")
    human = Value.objects.get(slug="human")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.times(0, 9.5))
    tag_create(story=story, actor=cora, code=equality, excerpt=Excerpt.times(4, 15))
    tag_create(story=story, actor=contributor, code=human, excerpt=Excerpt.times(21, 26))
    tag_create(story=story, actor=cora, code=human, excerpt=Excerpt.times(21, 26))
    tag_create(story=story, actor=cora, code=human)  # whole-story tags do not take part
    return story, cora


def test_agreement_per_code_matches_the_hand_computation(coded):
    story, _cora = coded
    report = reads.story_agreement(story)
    assert report.coder_names == ["Connor", "Cora"]
    rows = {row.code.slug: row for row in report.rows}
    equality, human = rows["equality"], rows["human"]
    assert equality.coded_units == [2, 2]
    assert equality.observed == pytest.approx(4 / 6)
    assert equality.kappa == pytest.approx(0.25)
    assert equality.alpha == pytest.approx(0.3125)
    assert [unit.index for unit, _marks in equality.disagreements] == [0, 2]
    assert (human.kappa, human.alpha, human.observed) == (1, 1, 1)


def test_the_agreement_page_shows_the_figures(client, contributor, coded):
    story, _cora = coded
    client.force_login(contributor)
    page = client.get(reverse("coding:agreement", args=[story.pk])).content.decode()
    assert "Agreement per value and theme" in page
    assert "67%" in page and "0.25" in page and "0.31" in page
    assert "Where coders differ" in page
    assert "Equality (and shifts in power differentials): 2 segments" in page


def test_with_one_coder_the_page_says_what_is_needed(client, make_story, contributor):
    story = recorded_story(make_story)
    tag_create(
        story=story,
        actor=contributor,
        code=Value.objects.get(slug="equality"),
        excerpt=Excerpt.times(0, 1),
    )
    client.force_login(contributor)
    page = client.get(reverse("coding:agreement", args=[story.pk])).content.decode()
    assert "needs at least two people" in page and "So far only Connor has" in page


def test_three_coders_get_alpha_but_no_kappa(
    client, make_story, contributor, curator, django_user_model, project
):
    story = recorded_story(make_story)
    cora = second_contributor(django_user_model, project)
    equality = Value.objects.get(slug="equality")
    for person, (start, end) in [(contributor, (0, 4)), (cora, (0, 4)), (curator, (0, 9))]:
        tag_create(story=story, actor=person, code=equality, excerpt=Excerpt.times(start, end))
    [row] = reads.story_agreement(story).rows
    assert row.kappa is None and row.alpha is not None
    client.force_login(curator)
    page = client.get(reverse("coding:agreement", args=[story.pk])).content.decode()
    assert "n/a" in page


def test_an_accepted_proposal_makes_the_storyteller_a_coder_named_as_consented(
    make_story, storyteller, contributor
):
    story = recorded_story(make_story, consent={"attribution": "anonymous"})
    human = Value.objects.get(slug="human")
    tag_accept(
        tag=tag_propose(story=story, actor=storyteller, code=human, excerpt=Excerpt.times(0, 1)),
        actor=contributor,
    )
    tag_create(story=story, actor=contributor, code=human, excerpt=Excerpt.times(0, 1))
    report = reads.story_agreement(story, storyteller_name="Anonymous storyteller")
    assert "Anonymous storyteller (the storyteller)" in report.coder_names
    assert "Stella" not in report.coder_names


def test_the_storyteller_does_not_see_the_agreement_page(client, storyteller, coded):
    story, _cora = coded
    client.force_login(storyteller)
    assert client.get(reverse("coding:agreement", args=[story.pk])).status_code == 403


def test_a_text_storys_units_are_its_sentences(make_story, contributor, curator):
    """Three sentences. Connor selects words inside sentence 1; the curator selects from the
    end of sentence 1 into sentence 2. Per sentence (Connor, curator): (1,1) (0,1) (0,0).
    Observed 2/3; p_e = (1/3)(2/3) + (2/3)(1/3) = 4/9; kappa = (6/9 - 4/9) / (5/9) = 0.4.
    """
    text = "We cooked together. It was loud and warm. Then we went home."
    story = make_story(text=text)
    equality = Value.objects.get(slug="equality")
    tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(3, 9))
    tag_create(story=story, actor=curator, code=equality, excerpt=Excerpt.chars(10, 30))
    report = reads.story_agreement(story)
    assert [u.text for u in report.units] == [
        "We cooked together.",
        "It was loud and warm.",
        "Then we went home.",
    ]
    [row] = report.rows
    assert row.observed == pytest.approx(2 / 3)
    assert row.kappa == pytest.approx(0.4)
