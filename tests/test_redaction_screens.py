"""Taking words out, on the screens: the storyteller's studio (by words, by times, from a
suggestion; undo; destroy the original), the curator's screen (with the storyteller told why),
the visible "[redacted]" mark on every HTML transcript and the player held while the redacted
recording is being made."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.safestring import mark_safe

from public import links
from public.templatetags.archive_tags import redaction_marks
from stories.models import (
    RedactedMedia,
    Redaction,
    RedactionBy,
    RenditionState,
    Segment,
    StoryKind,
)
from stories.redactions import MARK, redaction_add, word_span
from stories.timecode import clock_seconds
from tests import public_site as site
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SAID = "My neighbour Bartholomew Quill drove me to the hospital."
HELD = "The recording is being prepared again because some words were taken out."


@pytest.fixture
def recorded(make_story):
    story = make_story(title="The bus to the hospital", kind=StoryKind.AUDIO, text="")
    return site.say_first(site.attach_recording(story), SAID)


@pytest.fixture
def teller(client, storyteller):
    client.force_login(storyteller)
    return client


def review(story) -> str:
    return reverse("storyteller:review", args=[story.pk])


def redact_url(story) -> str:
    return reverse("storyteller:redact", args=[story.pk])


def line_text(story) -> str:
    return Segment.objects.get(transcript__story=story, index=0).text


def make_ready(story) -> RedactedMedia:
    media = RedactedMedia.objects.get(story=story)
    media.file.name = "derived/x/redacted.wav"
    media.state, media.rendered_generation = RenditionState.READY, media.generation
    media.save()
    return media


# --- The mark ------------------------------------------------------------------------------------


def test_the_mark_filter_escapes_text_and_shows_the_mark_with_its_why():
    html = redaction_marks(f"<b>My</b> neighbour {MARK} said")
    assert html.startswith("&lt;b&gt;My&lt;/b&gt; neighbour ")
    assert '<mark class="redacted" title="Words taken out on purpose' in html
    assert ">[redacted]<span" in html and "to protect someone&#x27;s privacy" in html


def test_the_mark_filter_keeps_the_tags_of_text_already_made_safe():
    html = redaction_marks(mark_safe(f"<mark>neighbour</mark> {MARK}"))  # noqa: S308
    assert html.startswith('<mark>neighbour</mark> <mark class="redacted"')


def test_clock_seconds_reads_the_times_people_write():
    assert clock_seconds("1:05") == 65.0
    assert clock_seconds("0:02.5") == 2.5
    assert clock_seconds("1:02:03") == 3723.0
    for bad in ("", "a:10", "1:75", "1::2"):
        with pytest.raises(ValueError):
            clock_seconds(bad)


# --- The storyteller's studio --------------------------------------------------------------------


def test_the_studio_offers_the_form_and_suggests_the_name(teller, recorded):
    page = teller.get(review(recorded)).content.decode()
    assert "Take these words out" in page
    assert "“Bartholomew Quill”: what may be a person&#x27;s name, line 1" in page
    assert "They miss names at the start of a sentence" in page
    # Each word of a line can be chosen: it carries its number.
    assert '<span data-w="3">Bartholomew</span>' in page


def test_a_storyteller_takes_words_out_by_word_numbers(teller, recorded):
    answer = teller.post(
        redact_url(recorded), {"line": "1", "first": "3", "last": "4", "reason": "My neighbour"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith("#redactions")
    assert line_text(recorded) == f"My neighbour {MARK} drove me to the hospital."
    page = teller.get(answer["Location"]).content.decode()
    assert "Taken out 0:" in page and "Nobody else sees or hears those words" in page
    assert "“Bartholomew Quill”" in page and "Why: My neighbour" in page
    assert "By the storyteller" in page
    assert '<mark class="redacted"' in page
    assert "Being made: the recording is being prepared again" in page
    assert "Destroy the original" in page and "once the redacted recording is ready" in page


def test_a_storyteller_takes_words_out_by_times(teller, recorded):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    answer = teller.post(redact_url(recorded), {"start": f"{start:.2f}", "end": f"{end:.2f}"})
    assert answer.status_code == 302
    assert "Bartholomew" not in line_text(recorded)


def test_a_suggestion_is_taken_out_in_one_step(teller, recorded):
    teller.post(redact_url(recorded), {"line": "1", "first": "3", "last": "4"})
    assert Redaction.objects.get(story=recorded).words == "Bartholomew Quill"
    page = teller.get(review(recorded)).content.decode()
    assert "“Bartholomew Quill”: what may be" not in page  # not suggested again


def test_a_form_without_words_or_times_says_what_to_give(teller, recorded):
    answer = teller.post(redact_url(recorded), {"reason": "x"})
    assert answer.status_code == 400
    assert "Choose what to take out" in answer.content.decode()
    answer = teller.post(redact_url(recorded), {"start": "soon", "end": "0:03"})
    assert answer.status_code == 400
    assert "like 1:05" in answer.content.decode()
    answer = teller.post(redact_url(recorded), {"start": "0:01"})
    assert "Give both times" in answer.content.decode()
    assert not Redaction.objects.exists()


def test_refusals_of_the_service_are_shown_as_messages(teller, recorded, make_story):
    answer = teller.post(redact_url(recorded), {"start": "9:00", "end": "9:10"}, follow=True)
    assert "nothing starts at 9:00" in answer.content.decode()
    answer = teller.post(redact_url(recorded), {"line": "1", "first": "30"}, follow=True)
    assert "Those words are not in that line any more" in answer.content.decode()
    written = make_story(title="Written")
    answer = teller.post(redact_url(written), {"line": "1", "first": "1"}, follow=True)
    assert "no transcript yet" in answer.content.decode()
    assert not Redaction.objects.exists()


def test_overlapping_redactions_say_they_were_joined(teller, recorded):
    teller.post(redact_url(recorded), {"line": "1", "first": "3", "last": "3"})
    answer = teller.post(
        redact_url(recorded), {"line": "1", "first": "3", "last": "4"}, follow=True
    )
    assert "so they were joined" in answer.content.decode()


def test_only_the_storyteller_redacts_in_the_studio(client, recorded, stranger, curator):
    for person in (stranger, curator):
        client.force_login(person)
        answer = client.post(redact_url(recorded), {"line": "1", "first": "3"})
        assert answer.status_code == 404
    client.logout()
    answer = client.post(redact_url(recorded), {"line": "1", "first": "3"})
    assert answer.status_code == 302 and "login" in answer["Location"]
    assert not Redaction.objects.exists()


def test_undo_puts_the_words_back(teller, recorded, storyteller):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    done = redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    url = reverse("storyteller:redaction_undo", args=[recorded.pk, done.redaction.pk])
    answer = teller.post(url, follow=True)
    assert "are back in your story" in answer.content.decode()
    assert line_text(recorded) == SAID
    assert not RedactedMedia.objects.filter(story=recorded).exists()


def test_a_curators_protection_of_someone_else_is_not_undone_by_the_storyteller(
    teller, recorded, curator
):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    done = redaction_add(
        story=recorded,
        start=start,
        end=end,
        actor=curator,
        reason="Names a neighbour who did not agree",
        by=RedactionBy.THIRD_PARTY,
    )
    page = teller.get(review(recorded)).content.decode()
    assert "By a curator, to protect someone else (Cura)" in page
    assert "Why: Names a neighbour who did not agree" in page
    assert "ask a curator if they should be put back" in page
    assert reverse("storyteller:redaction_undo", args=[recorded.pk, done.redaction.pk]) not in page
    url = reverse("storyteller:redaction_undo", args=[recorded.pk, done.redaction.pk])
    answer = teller.post(url, follow=True)
    assert "ask a curator to put them back" in answer.content.decode()
    assert MARK in line_text(recorded)


def test_another_storytellers_redaction_is_not_found(
    client, recorded, storyteller, django_user_model
):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    done = redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    client.force_login(make_user(django_user_model, "other", "storyteller"))
    url = reverse("storyteller:redaction_undo", args=[recorded.pk, done.redaction.pk])
    assert client.post(url).status_code == 404
    assert Redaction.objects.filter(pk=done.redaction.pk).exists()


def test_the_ready_recording_can_be_heard_and_the_original_destroyed(
    teller, recorded, storyteller, django_capture_on_commit_callbacks
):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    destroy = reverse("storyteller:destroy_original", args=[recorded.pk])
    answer = teller.post(destroy, {"confirm": "yes"}, follow=True)
    assert "still being made" in answer.content.decode()
    make_ready(recorded)
    page = teller.get(review(recorded)).content.decode()
    media = reverse("stories:media", args=[recorded.pk, "media"])
    assert f'href="{media}?version=redacted"' in page
    answer = teller.post(destroy, follow=True)
    assert "Nothing was destroyed" in answer.content.decode()
    assert not RedactedMedia.objects.get(story=recorded).original_destroyed
    with django_capture_on_commit_callbacks(execute=False):
        answer = teller.post(destroy, {"confirm": "yes"}, follow=True)
    page = answer.content.decode()
    assert "The original is destroyed" in page
    assert "Words destroyed at your request" in page and "Bartholomew" not in page
    assert "Undo" not in page and 'id="destroy"' not in page


# --- Everyone else's pages -----------------------------------------------------------------------


def test_the_public_story_page_shows_the_mark_and_holds_the_player(client, recorded, storyteller):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    page = client.get(links.story_url(recorded)).content.decode()
    assert "Bartholomew" not in page
    assert '<mark class="redacted"' in page and HELD in page
    assert "<audio" not in page
    make_ready(recorded)
    page = client.get(links.story_url(recorded)).content.decode()
    assert "<audio" in page and HELD not in page


def test_searching_within_the_story_keeps_the_mark(client, recorded, storyteller):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    page = client.get(links.story_url(recorded), {"q": "neighbour"}).content.decode()
    assert "<mark>neighbour</mark>" in page and '<mark class="redacted"' in page


def test_the_coding_screen_shows_the_mark_and_no_player_while_held(
    client, recorded, storyteller, contributor
):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    client.force_login(contributor)
    page = client.get(reverse("coding:story", args=[recorded.pk])).content.decode()
    assert "Bartholomew" not in page
    assert '<mark class="redacted"' in page and HELD in page
    assert 'id="coding-player"' not in page


def test_the_embed_holds_the_player(client, recorded, storyteller):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    page = client.get(links.for_request(None).story_part(recorded, "embed")).content.decode()
    assert HELD in page and "<audio" not in page


# --- The curator ---------------------------------------------------------------------------------


def curator_url(story) -> str:
    return reverse("story_redact", args=[story.pk])


def test_the_curator_story_screen_links_to_taking_words_out(client, recorded, curator):
    client.force_login(curator)
    inspect = reverse("wagtailsnippets_stories_story:inspect", args=[recorded.pk])
    page = client.get(inspect).content.decode()
    assert curator_url(recorded) in page


def test_a_curator_takes_words_out_and_the_storyteller_is_told_why(
    client, recorded, curator, storyteller, django_capture_on_commit_callbacks
):
    storyteller.email = "stella@example.org"
    storyteller.save()
    client.force_login(curator)
    page = client.get(curator_url(recorded)).content.decode()
    assert "Line 1" in page and "Bartholomew" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            curator_url(recorded),
            {
                "line": "1",
                "first": "3",
                "last": "4",
                "by": RedactionBy.REQUEST,
                "reason": "Asked by phone on Monday",
            },
            follow=True,
        )
    assert "The storyteller is told by email" in answer.content.decode()
    redaction = Redaction.objects.get(story=recorded)
    assert redaction.by == RedactionBy.REQUEST and redaction.marked_by == curator
    (sent,) = mail.outbox
    assert sent.to == ["stella@example.org"]
    assert "you asked for them to be taken out" in sent.body
    assert "Bartholomew" not in sent.body and "Quill" not in sent.body
    assert "#redactions" in sent.body
    client.force_login(storyteller)
    page = client.get(review(recorded)).content.decode()
    assert "at the storyteller&#x27;s request" in page and "Why: Asked by phone on Monday" in page


def test_a_curator_gives_a_reason_and_sees_refusals(client, recorded, curator):
    client.force_login(curator)
    answer = client.post(
        curator_url(recorded), {"start": "0:00", "end": "0:01", "by": RedactionBy.THIRD_PARTY}
    )
    assert answer.status_code == 200 and "This field is required" in answer.content.decode()
    answer = client.post(
        curator_url(recorded),
        {"start": "9:00", "end": "9:10", "by": RedactionBy.THIRD_PARTY, "reason": "x"},
    )
    assert "nothing starts at 9:00" in answer.content.decode()
    assert not Redaction.objects.exists()


def test_only_curators_reach_the_curators_screen(client, recorded, storyteller, researcher):
    for person in (storyteller, researcher):
        client.force_login(person)
        answer = client.get(curator_url(recorded))
        assert answer.status_code in (302, 403, 404)
        assert "Take these words out" not in answer.content.decode()


def test_a_tag_quote_on_a_value_page_shows_the_mark(client, recorded, storyteller):
    line = Segment.objects.get(transcript__story=recorded, index=0)
    value = site.value()
    site.tag(recorded, value=value, start_seconds=line.start, end_seconds=line.end)
    start, end = word_span(recorded.transcript, 0, 2, 3)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    page = client.get(links.value_url(value, None)).content.decode()
    assert "My neighbour" in page and '<mark class="redacted"' in page
    assert "Bartholomew" not in page


def test_a_curator_puts_back_what_a_curator_took_out_but_not_the_storytellers_choice(
    client, recorded, curator, storyteller
):
    start, end = word_span(recorded.transcript, 0, 2, 3)
    theirs = redaction_add(
        story=recorded, start=start, end=end, actor=curator, reason="x", by=RedactionBy.THIRD_PARTY
    )
    own = redaction_add(story=recorded, start=0.0, end=0.3, actor=storyteller)
    client.force_login(curator)
    page = client.get(curator_url(recorded)).content.decode()
    assert f'name="undo" value="{theirs.redaction.pk}"' in page
    assert f'name="undo" value="{own.redaction.pk}"' not in page
    assert "The storyteller\u2019s choice" in page
    assert client.post(curator_url(recorded), {"undo": str(own.redaction.pk)}).status_code == 404
    answer = client.post(curator_url(recorded), {"undo": str(theirs.redaction.pk)}, follow=True)
    assert "are back in the story" in answer.content.decode()
    assert "Bartholomew Quill" in line_text(recorded)
    assert Redaction.objects.filter(pk=own.redaction.pk).exists()
