"""What the storyteller corrects or withdraws is gone from every copy, not only from the source.

Tags keep the words of their excerpt (the public value and theme pages quote them), and the
Wagtail admin keeps a story's title in its history; both are copies that must follow.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coding.models import Tag
from coding.services import tag_create
from public import links
from stories import services
from stories.models import Segment, StoryKind, StoryStatus, Value
from stories.transcripts import transcript_segment_edit
from tests import public_site as site
from transcribe import services as transcribe_services

pytestmark = pytest.mark.django_db

SAID = "My neighbour Bartholomew Quill drove me to the hospital."
CORRECTED = "My neighbour drove me to the hospital."


@pytest.fixture
def recorded(make_story):
    """A published recording whose first line names a neighbour, tagged by a contributor."""
    story = make_story(title="The bus to the hospital", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    Segment.objects.filter(transcript__story=story, index=0).update(text=SAID)
    return story


def test_a_correction_reaches_the_quotes_of_excerpts_tagged_before_it(
    client, recorded, storyteller, contributor
):
    first = Segment.objects.get(transcript__story=recorded, index=0)
    value = Value.objects.get(slug="equality")
    tag = tag_create(
        story=recorded,
        actor=contributor,
        code=value,
        excerpt=services_excerpt(first.start, first.end),
    )
    assert tag.quote == SAID
    term_page = links.ArchiveLinks().value(value)
    assert "Bartholomew" in client.get(term_page).content.decode()

    transcript_segment_edit(segment=first, text=CORRECTED, actor=storyteller)

    tag.refresh_from_db()
    assert tag.quote == CORRECTED
    html = client.get(term_page).content.decode()
    assert CORRECTED in html
    assert "Bartholomew" not in html


def test_an_imported_transcript_replaces_the_quotes_of_earlier_excerpts(
    recorded, storyteller, contributor, curator
):
    services.story_transition(story=recorded, target=StoryStatus.APPROVED, actor=storyteller)
    services.story_transition(story=recorded, target=StoryStatus.AWAITING_REVIEW)
    first = Segment.objects.get(transcript__story=recorded, index=0)
    tag = tag_create(
        story=recorded,
        actor=contributor,
        code=Value.objects.get(slug="equality"),
        excerpt=services_excerpt(first.start, first.end),
    )
    vtt = f"WEBVTT\n\n00:00.000 --> 00:{first.end:06.3f}\n{CORRECTED}\n"
    transcribe_services.transcript_import(
        story=recorded, data=vtt, filename="fixed.vtt", actor=curator
    )
    tag.refresh_from_db()
    # The excerpt keeps its times, and quotes the new words whose middle lies in them (the new
    # cue starts earlier than the old line, so its first word may fall outside).
    assert "Bartholomew" not in tag.quote
    assert tag.quote in CORRECTED and "drove me to the hospital." in tag.quote


def test_after_withdrawal_the_admin_history_keeps_no_title(
    client, make_story, curator, storyteller, django_capture_on_commit_callbacks
):
    story = make_story(title="Told in confidence", status="approved", consent={"public": False})
    client.force_login(curator)
    edited = client.post(
        f"/admin/snippets/stories/story/edit/{story.pk}/",
        {"title": "Bartholomew at the bus stop", "summary": "", "project": "", "language": "en"},
    )
    assert edited.status_code == 302
    # The report shows titles (this also shows, and so clears, the "updated" message).
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "Bartholomew at the bus stop" in history

    teller = Client()  # the storyteller's own browser
    teller.force_login(storyteller)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = teller.post(reverse("storyteller:withdraw", args=[story.pk]), {"confirm": "on"})
    assert withdrawn.status_code == 302

    for url in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Bartholomew" not in page.content.decode(), url
    assert not Tag.objects.filter(story=story).exists()


def services_excerpt(start: float, end: float):
    from coding.services import Excerpt

    return Excerpt.times(start, end)
