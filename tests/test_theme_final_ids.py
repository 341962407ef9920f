"""Which theme stands for a theme now: one map over every theme, following merges and cycles."""

from __future__ import annotations

import pytest

from stories.models import Theme, follow_merges
from stories.services import theme_resolve


def test_follow_merges_walks_a_chain_to_its_end():
    # 1 -> 2 -> 3; 4 stands alone.
    assert follow_merges({1: 2, 2: 3, 3: None, 4: None}) == {1: 3, 2: 3, 3: 3, 4: 4}


def test_follow_merges_stops_on_a_cycle_where_it_comes_back_round():
    # 1 -> 2 -> 3 -> 2: from 1 the walk meets 2 again; a two-theme loop stops at its start.
    assert follow_merges({1: 2, 2: 3, 3: 2}) == {1: 2, 2: 2, 3: 3}
    assert follow_merges({5: 6, 6: 5}) == {5: 5, 6: 6}


def test_follow_merges_stops_at_an_id_it_does_not_know():
    assert follow_merges({1: 9}) == {1: 9}


@pytest.mark.django_db
def test_final_ids_maps_every_theme_in_one_query(django_assert_num_queries):
    kept = Theme.objects.create(name="Isolation", slug="isolation")
    middle = Theme.objects.create(name="Loneliness", slug="loneliness", merged_into=kept)
    first = Theme.objects.create(name="Being alone", slug="being-alone", merged_into=middle)
    other = Theme.objects.create(name="Shielding", slug="shielding")

    with django_assert_num_queries(1):
        final = Theme.objects.final_ids()

    assert final == {kept.pk: kept.pk, middle.pk: kept.pk, first.pk: kept.pk, other.pk: other.pk}
    assert theme_resolve(theme=first) == kept
    assert theme_resolve(theme=other) is other


@pytest.mark.django_db
def test_a_cycle_in_the_data_ends_instead_of_looping():
    a = Theme.objects.create(name="A", slug="a")
    b = Theme.objects.create(name="B", slug="b", merged_into=a)
    Theme.objects.filter(pk=a.pk).update(merged_into=b)  # merging never does this; data might
    a.refresh_from_db()

    assert Theme.objects.final_ids() == {a.pk: a.pk, b.pk: b.pk}
    assert theme_resolve(theme=a) == a
    assert theme_resolve(theme=b) == b
