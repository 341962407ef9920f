"""A storyteller changes their consent; each change appends to a history they can see."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import ConsentRecord, Story, StoryChange

pytestmark = pytest.mark.django_db


def consent_data(**choices) -> dict:
    data = {"consent-attribution": "anonymous"}
    for key, value in choices.items():
        data[f"consent-{key}"] = value
    return data


def test_the_form_shows_the_current_choices(client, storyteller, make_story):
    story = make_story(consent={"public": False})
    client.force_login(storyteller)
    html = client.get(reverse("storyteller:consent", args=[story.pk])).content.decode()
    assert 'id="id_consent-archive" checked' in html
    assert 'id="id_consent-public">' in html  # not ticked
    assert "Consent text version 2026-1" in html


def test_a_change_appends_a_record_and_keeps_the_history(client, storyteller, make_story):
    story = make_story()
    first = story.consent
    client.force_login(storyteller)
    StoryChange.objects.all().delete()
    sealed = timezone.localdate() + datetime.timedelta(days=365)
    response = client.post(
        reverse("storyteller:consent", args=[story.pk]),
        consent_data(archive="on", researchers="on", sealed_until=sealed.isoformat()),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert ConsentRecord.objects.filter(story=story).count() == 2
    assert story.consent != first
    assert (story.consent.public, story.consent.researchers) == (False, True)
    assert story.consent.sealed_until == sealed
    assert story.consent.consent_text_version == "2026-1"
    assert story.consent.recorded_by == storyteller
    first.refresh_from_db()
    assert first.public is True  # the old record is untouched
    assert StoryChange.objects.filter(story_id=story.pk).exists()  # search hears of it
    history = client.get(reverse("storyteller:consent", args=[story.pk])).content.decode()
    assert history.count("(current)") == 1
    assert history.count("<tr>") == 3  # header and two records


def test_a_consent_end_date_is_stored_as_expiry(client, storyteller, make_story):
    story = make_story()
    client.force_login(storyteller)
    ends = timezone.localdate() + datetime.timedelta(days=90)
    client.post(
        reverse("storyteller:consent", args=[story.pk]),
        consent_data(archive="on", expires_on=ends.isoformat()),
    )
    story.refresh_from_db()
    assert timezone.localdate(story.consent.expires_at) == ends


def test_dates_in_the_past_are_refused(client, storyteller, make_story):
    story = make_story()
    client.force_login(storyteller)
    html = client.post(
        reverse("storyteller:consent", args=[story.pk]),
        consent_data(archive="on", sealed_until="2001-01-01"),
    ).content.decode()
    assert "Choose a date in the future, or leave it empty." in html
    assert 'href="#id_consent-sealed_until"' in html


def test_nobody_else_can_change_a_storytellers_consent(client, make_story, curator, stranger):
    story = make_story()
    for person in (curator, stranger):
        client.force_login(person)
        url = reverse("storyteller:consent", args=[story.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, consent_data()).status_code == 404
    assert ConsentRecord.objects.filter(story=story).count() == 1


def test_a_withdrawn_storys_consent_page_answers_410(client, storyteller, make_story):
    from stories.services import consent_withdraw

    story = make_story()
    consent_withdraw(story=story, actor=storyteller)
    client.force_login(storyteller)
    assert client.get(reverse("storyteller:consent", args=[story.pk])).status_code == 410
    assert Story.objects.get(pk=story.pk).consent.withdrawn
