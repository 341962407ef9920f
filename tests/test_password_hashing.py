"""Passwords are kept with Argon2; a password kept with an older hasher is upgraded on sign-in.

These tests use the archive's real hashers (the rest of the suite hashes with a fast one).
"""

from __future__ import annotations

import pytest
from django.conf import settings as archive_settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

from archive.settings import base

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_argon2_comes_first_and_the_older_hashers_are_still_read():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS


def test_a_new_password_is_kept_with_argon2(django_user_model):
    user = django_user_model.objects.create_user("nadia", password="a long pass phrase")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert archive_settings.PASSWORD_HASHERS == base.PASSWORD_HASHERS


def test_a_pbkdf2_password_is_rehashed_with_argon2_when_its_owner_signs_in(
    client, django_user_model
):
    user = django_user_model.objects.create(
        username="olu", password=make_password("an older pass phrase", hasher="pbkdf2_sha256")
    )
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"

    response = client.post(
        reverse("login"), {"username": "olu", "password": "an older pass phrase"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("an older pass phrase")


def test_a_wrong_password_leaves_the_old_hash_alone(client, django_user_model):
    old = make_password("an older pass phrase", hasher="pbkdf2_sha256")
    user = django_user_model.objects.create(username="olu", password=old)

    response = client.post(reverse("login"), {"username": "olu", "password": "a guess"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old
