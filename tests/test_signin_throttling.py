"""Failed sign-ins are throttled per account and per address, on both sign-in forms."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

SITE_LOGIN = reverse("login")
ADMIN_LOGIN = "/admin/login/"


def sign_in(client, url: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", [SITE_LOGIN, ADMIN_LOGIN])
def test_thirty_wrong_passwords_pause_signing_in_even_with_the_right_one(client, curator, url):
    for _ in range(30):
        sign_in(client, url, "cura", "wrong password")
    response = sign_in(client, url, "cura", "pw-cura")
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert "Signing in is paused for 15 minutes" in page
    assert "Please wait 15 minutes, then sign in again." in page
    assert "forgotten your password" in page
    assert 'role="alert"' in page


def test_a_few_mistakes_are_fine_and_a_success_clears_them(client, storyteller, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, SITE_LOGIN, "stella", "oops").status_code == 200
    assert sign_in(client, SITE_LOGIN, "stella", "pw-stella").status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.filter(username="stella").exists()


def test_one_account_is_paused_whichever_address_the_guesses_come_from(
    client, storyteller, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, SITE_LOGIN, "stella", "guess", address=f"10.0.1.{n}")
    response = sign_in(client, SITE_LOGIN, "stella", "pw-stella", address="10.0.2.1")
    assert response.status_code == 429
    assert not signed_in(client)


def test_one_address_is_paused_whichever_accounts_it_tries(
    client, storyteller, researcher, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, ADMIN_LOGIN, f"someone-{n}", "guess", address="10.0.3.3")
    response = sign_in(client, SITE_LOGIN, "rhea", "pw-rhea", address="10.0.3.3")
    assert response.status_code == 429
    # The same account from another address is not affected.
    assert sign_in(client, SITE_LOGIN, "rhea", "pw-rhea", address="10.0.4.4").status_code == 302


def test_the_pause_ends_by_itself_and_the_real_person_gets_in(client, storyteller, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(client, SITE_LOGIN, "stella", "guess")
    assert sign_in(client, SITE_LOGIN, "stella", "pw-stella").status_code == 429
    # Attempts during the pause did not extend it: moving the recorded failures back by the
    # pause length is the same as waiting it out.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC)
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    assert sign_in(client, SITE_LOGIN, "stella", "pw-stella").status_code == 302
    assert signed_in(client)


def test_no_password_is_kept_with_the_failures(client, storyteller):
    sign_in(client, SITE_LOGIN, "stella", "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in f"{attempt.post_data} {attempt.get_data}"


def test_behind_a_proxy_a_forged_forwarded_header_does_not_dodge_the_pause(
    client, researcher, settings
):
    settings.ARCHIVE_TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            SITE_LOGIN,
            {"username": f"someone-{n}", "password": "guess"},
            REMOTE_ADDR="10.9.9.9",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",  # forged, then the real one
        )
    real = {"REMOTE_ADDR": "10.9.9.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    response = client.post(SITE_LOGIN, {"username": "rhea", "password": "pw-rhea"}, **real)
    assert response.status_code == 429
    neighbour = {"REMOTE_ADDR": "10.9.9.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    response = client.post(SITE_LOGIN, {"username": "rhea", "password": "pw-rhea"}, **neighbour)
    assert response.status_code == 302  # others behind the same proxy are not paused


def test_without_a_proxy_the_forwarded_header_is_ignored(client, researcher, settings):
    settings.ARCHIVE_TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            SITE_LOGIN,
            {"username": f"someone-{n}", "password": "guess"},
            REMOTE_ADDR="10.8.8.8",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        SITE_LOGIN, {"username": "rhea", "password": "pw-rhea"}, REMOTE_ADDR="10.8.8.8"
    )
    assert response.status_code == 429
