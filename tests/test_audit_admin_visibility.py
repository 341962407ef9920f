"""The Wagtail admin reads stories through the visibility rule too: chooser, history, desk, counts.

A curator sees the stories kept in the archive with consent; a story whose storyteller did not
agree to that is theirs alone, and no admin screen may show its title, act on it or count it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coding.models import Tag
from stories.models import StoryChange, Theme, Transcript, Value
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db

NOT_KEPT = {"archive": False, "researchers": False, "public": False}
CHOOSER = "/admin/snippets/choose/stories/story/"


@pytest.fixture
def hidden(make_story):
    """A story its storyteller keeps to themselves: not in the archive, so not the curator's."""
    return make_story(title="Zebra crossing secret", status="draft", consent=NOT_KEPT)


@pytest.fixture
def kept(make_story):
    return make_story(title="Kept allotment story", status="approved", consent={"public": False})


def test_the_story_chooser_lists_only_the_stories_the_curator_may_see(
    client, curator, hidden, kept
):
    client.force_login(curator)
    for url in (CHOOSER, CHOOSER + "results/", CHOOSER + "results/?q=secret"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert hidden.title not in page.content.decode(), url
    assert kept.title in client.get(CHOOSER).content.decode()


def test_the_story_chooser_will_not_hand_over_a_hidden_story_by_its_id(
    client, curator, hidden, kept
):
    client.force_login(curator)
    assert client.get(f"{CHOOSER}chosen/{hidden.pk}/").status_code == 404
    assert kept.title in client.get(f"{CHOOSER}chosen/{kept.pk}/").content.decode()
    both = client.get(f"{CHOOSER}chosen-multiple/?id={hidden.pk}&id={kept.pk}").content.decode()
    assert kept.title in both and hidden.title not in both


@pytest.mark.parametrize("view", ["history", "usage"])
def test_a_story_history_and_usage_open_for_a_visible_story_only(
    client, curator, hidden, kept, view
):
    client.force_login(curator)
    shown = client.get(f"/admin/snippets/stories/story/{view}/{kept.pk}/")
    assert shown.status_code == 200
    refused = client.get(f"/admin/snippets/stories/story/{view}/{hidden.pk}/")
    assert refused.status_code == 404
    assert hidden.title not in refused.content.decode()


def test_editing_a_story_in_the_admin_queues_it_for_the_search_index(client, curator, kept):
    client.force_login(curator)
    StoryChange.objects.all().delete()
    response = client.post(
        f"/admin/snippets/stories/story/edit/{kept.pk}/",
        {"title": "A new title", "summary": "", "project": "", "language": "en", "told_on": ""},
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.title == "A new title"
    assert StoryChange.objects.filter(story_id=kept.pk).exists()


def _job(story, **fields) -> TranscriptionJob:
    return TranscriptionJob.objects.create(
        story=story, run_after=timezone.now(), state=JobState.FAILED, **fields
    )


def test_the_transcription_desk_lists_only_jobs_of_stories_the_curator_may_see(
    client, curator, hidden, kept
):
    _job(hidden, last_error="hidden job failed")
    _job(kept, last_error="kept job failed")
    client.force_login(curator)
    page = client.get("/admin/transcriptions/").content.decode()
    assert kept.title in page and "kept job failed" in page
    assert hidden.title not in page and "hidden job failed" not in page


@pytest.mark.parametrize("action", ["rerun", "import"])
def test_the_transcription_desk_cannot_open_or_change_a_hidden_story(
    client, curator, hidden, action
):
    client.force_login(curator)
    url = f"/admin/transcriptions/{hidden.pk}/{action}/"
    shown = client.get(url)
    assert shown.status_code == 404
    assert hidden.title not in shown.content.decode()
    upload = SimpleUploadedFile("t.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nPlanted words.\n")
    assert client.post(url, {"file": upload}).status_code == 404
    assert not Transcript.objects.filter(story=hidden).exists()
    assert not TranscriptionJob.objects.filter(story=hidden).exists()


def test_tag_counts_in_the_admin_count_only_stories_the_curator_may_see(
    client, curator, make_story, storyteller
):
    from stories import services
    from stories.models import ConsentMethod

    value = Value.objects.get(slug="equality")
    theme = Theme.objects.create(name="Quiet streets", slug="quiet-streets")
    seen = make_story(title="Seen")
    unseen = make_story(title="Unseen")
    for story in (seen, unseen):
        Tag.objects.create(story=story, value=value)
        Tag.objects.create(story=story, theme=theme)
    # The storyteller of `unseen` takes it back out of the archive: its tags stay, unseen.
    services.consent_record(
        story=unseen, actor=storyteller, method=ConsentMethod.WRITTEN, **NOT_KEPT
    )
    client.force_login(curator)
    counts = client.get("/admin/themes/tag-counts/")
    assert counts.status_code == 200
    value_row = next(r for r in counts.context["value_rows"] if r[0].pk == value.pk)
    assert value_row[2:] == (1, 1)
    theme_row = next(r for r in counts.context["theme_rows"] if r[0].pk == theme.pk)
    assert theme_row[1:] == (1, 1)
    listing = client.get("/admin/snippets/stories/theme/")
    assert listing.status_code == 200
    listed = next(t for t in listing.context["object_list"] if t.pk == theme.pk)
    assert (listed.tag_count, listed.story_count) == (1, 1)
