"""Storytellers join by a one-time invitation link; open sign-up only when switched on."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from stories.accounts import token_hash
from stories.models import Invitation, ProjectMembership

pytestmark = pytest.mark.django_db

INVITE = reverse("storyteller:invite")


def invite(client, inviter, email="new.teller@example.org", **extra):
    client.force_login(inviter)
    response = client.post(INVITE, {"email": email, **extra})
    client.logout()
    return response


def link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/accounts/join/\S+/", body).group(0)


def join_data(**overrides) -> dict:
    return {
        "display_name": "Bea",
        "username": "bea",
        "password": "a long walk home",
        "password_again": "a long walk home",
        **overrides,
    }


def test_a_contributor_invites_by_email_with_a_one_time_link(client, contributor, project):
    response = invite(client, contributor, project=project.pk, message="We met at the cafe.")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teller@example.org"]
    assert "Connor has invited you" in message.body
    assert "We met at the cafe." in message.body
    assert "works once, for 14 days" in message.body
    link = link_from_mail()
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    # Only the hash of the token is kept.
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)


def test_the_invited_storyteller_chooses_a_name_and_is_signed_in(client, contributor, project):
    invite(client, contributor, project=project.pk)
    link = link_from_mail()
    page = client.get(link)
    assert page.status_code == 200
    assert "The name to show with your stories" in page.content.decode()
    response = client.post(link, join_data())
    assert response.status_code == 302 and response["Location"] == reverse("storyteller:my_stories")
    user = get_user_model().objects.get(username="bea")
    assert user.storyteller_profile.display_name == "Bea"
    assert user.email == "new.teller@example.org"
    assert user.groups.filter(name="storyteller").exists()
    assert ProjectMembership.objects.filter(user=user, project=project).exists()
    assert client.get(reverse("storyteller:my_stories")).status_code == 200  # signed in
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None


def test_an_invitation_link_works_only_once(client, contributor):
    invite(client, contributor)
    link = link_from_mail()
    client.post(link, join_data())
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.post(link, join_data(username="bea2")).status_code == 410
    assert get_user_model().objects.filter(username="bea2").count() == 0


def test_an_expired_invitation_says_to_ask_for_a_new_one(client, curator):
    invite(client, curator)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(link_from_mail())
    assert response.status_code == 410
    assert "expired on" in response.content.decode()
    assert "Ask the person who invited you to send a new one" in response.content.decode()


def test_a_made_up_link_is_refused(client):
    response = client.get(reverse("storyteller:join", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_joining_explains_each_mistake(client, contributor, storyteller):
    invite(client, contributor)
    link = link_from_mail()
    response = client.post(
        link, join_data(username="stella", password="123", password_again="1234")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "That sign-in name is taken" in html
    assert "The two passwords are different" in html
    assert 'href="#id_username"' in html
    assert Invitation.objects.get().accepted_at is None


def test_only_contributors_and_curators_can_invite(client, storyteller, researcher):
    for person in (storyteller, researcher):
        client.force_login(person)
        assert client.get(INVITE).status_code == 403
        assert client.post(INVITE, {"email": "x@example.org"}).status_code == 403
    assert not mail.outbox


def test_self_signup_is_off_by_default(client):
    assert client.get(reverse("storyteller:signup")).status_code == 404


@override_settings(ARCHIVE_SELF_SIGNUP=True)
def test_self_signup_when_switched_on_needs_no_email(client):
    response = client.post(reverse("storyteller:signup"), join_data(email=""))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="bea")
    assert user.email == ""
    assert user.storyteller_profile.display_name == "Bea"
    assert user.groups.filter(name="storyteller").exists()


def test_the_project_named_on_the_invitation_is_chosen_already_on_the_upload_form(
    client, contributor, project
):
    from stories.models import Project, ProjectMembership

    other = Project.objects.create(name="Another project")
    invite(client, contributor, project=project.pk)
    client.post(link_from_mail(), join_data())
    user = get_user_model().objects.get(username="bea")
    ProjectMembership.objects.create(project=other, user=user, role="storyteller")
    page = client.get(reverse("storyteller:new")).content.decode()
    assert f'<option value="{project.pk}" selected>' in page
    assert f'<option value="{other.pk}" selected>' not in page
