from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from stories.models import Value

EXPECTED = [
    "Equality (and shifts in power differentials)",
    "Diversity",
    "Challenging (and disruptive)",
    "Building relationships and unifying communities",
    "Working towards social justice",
    "Learning and personal development",
    "Tackles challenging questions and creating systemic change",
    "Accessibility and inclusivity",
    "Reciprocity and mutually beneficial",
    "Human (and personal and bespoke)",
    "Transparent (and authentic)",
    "Commitment/consistency/longevity",
    "Flexibility and adaptability",
    "Mutual respect and trust",
    "Reflexivity",
    "Training and capacity building",
    "Action-orientated",
    "Context-based",
]


@pytest.mark.django_db
def test_the_eighteen_values_are_seeded_with_their_exact_names_in_two_groups():
    values = list(Value.objects.order_by("number"))
    assert [v.name for v in values] == EXPECTED
    assert [v.number for v in values] == list(range(1, 19))
    assert {v.group for v in values[:7]} == {"aims"}
    assert {v.group for v in values[7:]} == {"conduct"}
    assert len({v.slug for v in values}) == 18


@pytest.mark.django_db
def test_the_four_role_groups_exist():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"storyteller", "contributor", "curator", "researcher"} <= names
