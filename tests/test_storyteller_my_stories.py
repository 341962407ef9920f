"""My stories: each story's status and transcription progress, polled without reloading."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stories import services
from stories.models import StoryStatus
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db

MINE = reverse("storyteller:my_stories")


@pytest.fixture
def transcribing(make_story, storyteller):
    story = make_story(title="Bus route", status="draft", kind="audio", text="")
    services.story_transition(story=story, target=StoryStatus.UPLOADED)
    services.story_transition(story=story, target=StoryStatus.TRANSCRIBING)
    from django.utils import timezone

    TranscriptionJob.objects.create(
        story=story, state=JobState.RUNNING, progress=0.42, run_after=timezone.now()
    )
    return story


def test_the_list_shows_status_and_transcription_progress(
    client, storyteller, make_story, transcribing
):
    make_story(title="Garden group", status="awaiting_review")
    client.force_login(storyteller)
    html = client.get(MINE).content.decode()
    assert "Garden group" in html and "Awaiting review" in html
    assert "Check the transcript" in html
    assert 'value="42"' in html and "42% done" in html
    assert f'data-poll="{reverse("storyteller:progress")}"' in html
    assert 'aria-live="polite"' in html
    assert "Check again" in html  # the way to refresh without JavaScript


def test_progress_is_served_as_json_for_the_polling_script(client, storyteller, transcribing):
    client.force_login(storyteller)
    response = client.get(reverse("storyteller:progress"))
    assert response["Cache-Control"] == "no-store"
    (item,) = response.json()["stories"]
    assert item["story"] == transcribing.pk
    assert (item["status"], item["percent"], item["done"]) == ("transcribing", 42, False)


def test_a_failed_transcription_says_why(client, storyteller, transcribing):
    TranscriptionJob.objects.update(state=JobState.FAILED, last_error="No sound in the file.")
    client.force_login(storyteller)
    (item,) = client.get(reverse("storyteller:progress")).json()["stories"]
    assert item["problem"] == "No sound in the file." and item["done"]
    assert "Transcription failed: No sound in the file." in client.get(MINE).content.decode()


def test_only_my_own_stories_are_listed(client, stranger, make_story):
    make_story(title="Garden group")
    client.force_login(stranger)
    assert "Garden group" not in client.get(MINE).content.decode()
    assert client.get(reverse("storyteller:progress")).json() == {"stories": []}


def test_the_list_takes_the_same_number_of_queries_whatever_the_number_of_stories(
    client, storyteller, make_story, django_assert_max_num_queries
):
    client.force_login(storyteller)
    make_story(title="One", status="awaiting_review")
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    for n in range(6):
        make_story(title=f"More {n}", status="awaiting_review")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(MINE)


def test_the_story_page_shows_the_choices_and_the_way_back(client, storyteller, make_story):
    story = make_story(status="awaiting_review")
    client.force_login(storyteller)
    html = client.get(reverse("storyteller:detail", args=[story.pk])).content.decode()
    assert "Change your choices" in html
    assert "Withdraw this story" in html
    assert "Once upon a time the garden group" in html


def test_a_contributor_sees_stories_they_uploaded_for_others(
    client, contributor, storyteller, make_story
):
    from stories.models import Story

    story = make_story(title="Told to Connor")
    Story.objects.filter(pk=story.pk).update(uploaded_by=contributor, on_behalf=True)
    client.force_login(contributor)
    html = client.get(MINE).content.decode()
    assert "Stories you uploaded for others" in html and "Told to Connor" in html
    assert "for Stella" in html
