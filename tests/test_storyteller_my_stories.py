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
    assert "Read it through" in html  # a written story has no transcript to check
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


def journey_of(html: str, title: str) -> str:
    start = html.index(f'aria-label="The path of “{title}”"')
    return html[start : html.index("</ol>", start)]


def test_each_story_shows_its_path_with_who_takes_the_next_step(
    client, storyteller, make_story, transcribing
):
    from stories.models import Segment, Transcript

    story = make_story(title="Night bus", status="draft", kind="audio", text="")
    for target in ("uploaded", "transcribing", "awaiting_review"):
        services.story_transition(story=story, target=target)
    transcript = Transcript.objects.create(story=story)
    Segment.objects.create(transcript=transcript, index=0, start=0, end=2, text="Hello.")
    client.force_login(storyteller)
    html = client.get(MINE).content.decode()

    waiting = journey_of(html, "Night bus")
    assert waiting.count("journey-done") == 2  # told, transcribed
    assert 'aria-current="step"' in waiting and "You checked it" in waiting
    review = reverse("storyteller:review", args=[story.pk])
    assert f'<a class="button journey-action" href="{review}">Check the transcript' in waiting
    assert "Who: A curator" in waiting and "After you approve it." in waiting

    running = journey_of(html, "Bus route")
    assert "Who: The archive, by itself" in running and "42% done." in running
    assert running.index('aria-current="step"') < running.index("Transcribed")


def test_a_published_public_story_links_to_its_public_page_and_says_so_once(
    client, storyteller, make_story
):
    story = make_story(title="Garden group", status="published")
    client.force_login(storyteller)
    html = client.get(MINE).content.decode()
    path = journey_of(html, "Garden group")
    assert path.count("journey-done") == 4 and 'aria-current="step"' not in path
    page = client.get(path.split('href="')[1].split('"')[0])
    assert page.status_code == 200 and "Garden group" in page.content.decode()
    assert "See its public page" in path
    # The badge says "Published"; the sentence beside it does not say it again.
    assert "<span data-explained>Shared as you agreed.</span>" in html
    suggest = reverse("coding:story", args=[story.pk])
    assert f'<a href="{suggest}">Suggest values and themes' in html


def test_an_approved_story_says_a_curator_publishes_it_and_when(client, storyteller, make_story):
    import datetime

    from django.utils import timezone

    from stories.models import Story

    story = make_story(title="Garden group", status="approved")
    when = timezone.now() + datetime.timedelta(days=3)
    Story.objects.filter(pk=story.pk).update(publish_at=when)
    client.force_login(storyteller)
    path = journey_of(client.get(MINE).content.decode(), "Garden group")
    current = path[path.index('aria-current="step"') :]
    assert "A curator publishes it" in current and "Due to be published on" in current


def test_the_polling_answer_carries_the_path_drawn_by_the_page_template(
    client, storyteller, transcribing
):
    client.force_login(storyteller)
    (item,) = client.get(reverse("storyteller:progress")).json()["stories"]
    assert 'aria-label="The path of “Bus route”"' in item["journey_html"]
    assert "42% done." in item["journey_html"]
