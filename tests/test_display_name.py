"""The one name the archive shows for a person."""

from __future__ import annotations

import pytest

from stories.models import FORMER_MEMBER, StorytellerProfile, display_name

pytestmark = pytest.mark.django_db


def test_the_profile_name_else_the_username_else_a_former_member(django_user_model):
    named = django_user_model.objects.create_user("amira", password="x")
    StorytellerProfile.objects.create(user=named, display_name="Amira K.")
    plain = django_user_model.objects.create_user("ravi", password="x")

    assert display_name(named) == "Amira K."
    assert display_name(plain) == "ravi"
    assert display_name(None) == FORMER_MEMBER == "A former member"
