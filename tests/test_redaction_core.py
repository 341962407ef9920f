"""Redaction in the domain: words out of the shared transcript at once, the recording held back
until a redacted one exists, undo while the original is kept, and clear refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from stories.audience import audience_for
from stories.models import (
    RedactedMedia,
    Redaction,
    RedactionBy,
    RenditionState,
    Segment,
    StoryKind,
    StoryStatus,
)
from stories.redactions import (
    MARK,
    RedactionRefused,
    media_for,
    original_destroy,
    redaction_add,
    redaction_suggestions,
    redaction_undo,
    rendition_spans,
    word_span,
    words_redact,
)
from stories.transcripts import transcript_replace
from tests import public_site as site
from tests.public_site import timed_words as whisper_words

pytestmark = pytest.mark.django_db

SAID = "My neighbour Bartholomew Quill drove me to the hospital."


@pytest.fixture
def recorded(make_story):
    story = make_story(title="The bus to the hospital", kind=StoryKind.AUDIO, text="")
    return site.say_first(site.attach_recording(story), SAID)


def name_span(story) -> tuple[float, float]:
    return word_span(story.transcript, 0, 2, 3)  # "Bartholomew Quill"


def test_words_redact_replaces_the_run_by_one_mark_and_keeps_what_it_took():
    words = whisper_words("call Ann Lee now", 0.0, 4.0)
    out, taken = words_redact(words, 1.0, 3.0)
    assert [w["text"] for w in out] == ["call", MARK, "now"]
    assert out[1]["start"] == 1.0 and out[1]["end"] == 3.0 and out[1]["redacted"]
    assert [w["text"] for w in taken[0]["words"]] == ["Ann", "Lee"]


def test_a_redaction_takes_the_words_out_of_the_shared_transcript(recorded, storyteller):
    start, end = name_span(recorded)
    result = redaction_add(
        story=recorded, start=start, end=end, actor=storyteller, reason="Neighbour"
    )
    line = Segment.objects.get(transcript__story=recorded, index=0)
    assert line.text == f"My neighbour {MARK} drove me to the hospital."
    assert "Bartholomew" not in str(line.words)
    assert result.redaction.words == "Bartholomew Quill"
    assert result.message.startswith("Taken out 0:")
    media = RedactedMedia.objects.get(story=recorded)
    assert media.state == RenditionState.PENDING and not media.current
    assert media.spans == [[round(max(0, start - 0.25), 3), round(end + 0.25, 3)]]


def test_until_the_rendition_exists_only_the_storyteller_gets_a_recording(
    recorded, storyteller, curator, client
):
    start, end = name_span(recorded)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    assert media_for(recorded, audience_for(storyteller)) == recorded.media
    assert media_for(recorded, audience_for(storyteller), want_redacted=True) is None
    assert media_for(recorded, audience_for(curator)) is None
    public = client.get(f"/story-media/{recorded.pk}/media")
    assert public.status_code == 503
    assert "being prepared again" in public.content.decode()


def test_a_current_ready_rendition_is_what_everyone_else_hears(recorded, storyteller, curator):
    start, end = name_span(recorded)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    media = RedactedMedia.objects.get(story=recorded)
    media.file.name = "derived/x/redacted.wav"
    media.state, media.rendered_generation = RenditionState.READY, media.generation
    media.save()
    assert media_for(recorded, audience_for(curator)).name == "derived/x/redacted.wav"
    # A further redaction makes it stale: held back again.
    redaction_add(story=recorded, start=0.0, end=0.1, actor=storyteller)
    assert media_for(recorded, audience_for(curator)) is None


def test_overlapping_redactions_are_joined_and_say_so(recorded, storyteller):
    start, end = name_span(recorded)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller, reason="a")
    wider = redaction_add(story=recorded, start=end - 0.05, end=end + 0.6, actor=storyteller)
    assert Redaction.objects.filter(story=recorded).count() == 1
    assert wider.joined and "joined" in wider.message
    assert wider.redaction.start == start
    assert "Bartholomew Quill" in wider.redaction.words


def test_undo_puts_the_words_back_and_the_original_recording_with_them(recorded, storyteller):
    start, end = name_span(recorded)
    result = redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    redaction_undo(redaction=result.redaction, actor=storyteller)
    line = Segment.objects.get(transcript__story=recorded, index=0)
    assert line.text == SAID
    assert not RedactedMedia.objects.filter(story=recorded).exists()


def test_a_span_past_the_end_a_backwards_span_and_a_story_being_transcribed_are_refused(
    recorded, storyteller
):
    length = recorded.media_duration
    with pytest.raises(RedactionRefused, match="must end by then"):
        redaction_add(story=recorded, start=1.0, end=length + 30, actor=storyteller)
    with pytest.raises(RedactionRefused, match="runs forwards"):
        redaction_add(story=recorded, start=3.0, end=2.0, actor=storyteller)
    recorded.status = StoryStatus.TRANSCRIBING
    recorded.save(update_fields=["status"])
    with pytest.raises(RedactionRefused, match="still being made"):
        redaction_add(story=recorded, start=1.0, end=2.0, actor=storyteller)
    assert not Redaction.objects.exists()


def test_who_may_redact_and_undo(recorded, storyteller, curator, researcher):
    start, end = name_span(recorded)
    with pytest.raises(PermissionDenied):
        redaction_add(story=recorded, start=start, end=end, actor=researcher)
    with pytest.raises(PermissionDenied):
        redaction_add(story=recorded, start=start, end=end, actor=curator)  # not "by storyteller"
    third = redaction_add(
        story=recorded, start=start, end=end, actor=curator, by=RedactionBy.THIRD_PARTY
    )
    with pytest.raises(PermissionDenied, match="ask a curator"):
        redaction_undo(redaction=third.redaction, actor=storyteller)
    redaction_undo(redaction=third.redaction, actor=curator)


def test_a_new_transcription_is_redacted_again(recorded, storyteller):
    start, end = name_span(recorded)
    redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    line = Segment.objects.get(transcript__story=recorded, index=0)
    transcript_replace(
        story=recorded,
        segments=[(line.start, line.end, SAID, 0.9, whisper_words(SAID, line.start, line.end))],
        engine="faster-whisper",
        model_name="tiny",
        language="en",
        language_probability=1.0,
        duration=recorded.media_duration,
        note="",
    )
    again = Segment.objects.get(transcript__story=recorded, index=0)
    assert "Bartholomew" not in again.text and MARK in again.text


def test_destroying_the_original_needs_the_rendition_and_ends_undo(
    recorded, storyteller, django_capture_on_commit_callbacks
):
    start, end = name_span(recorded)
    result = redaction_add(story=recorded, start=start, end=end, actor=storyteller)
    with pytest.raises(RedactionRefused, match="still being made"):
        original_destroy(story=recorded, actor=storyteller)
    media = RedactedMedia.objects.get(story=recorded)
    media.file.name = "derived/x/redacted.wav"
    media.state, media.rendered_generation = RenditionState.READY, media.generation
    media.save()
    with django_capture_on_commit_callbacks(execute=False):
        original_destroy(story=recorded, actor=storyteller)
    recorded.refresh_from_db()
    assert recorded.media.name == "derived/x/redacted.wav"
    kept = Redaction.objects.get(pk=result.redaction.pk)
    assert kept.words == "" and kept.originals == []
    with pytest.raises(RedactionRefused, match="destroyed"):
        redaction_undo(redaction=kept, actor=storyteller)


def test_spans_are_widened_by_the_guard_band_clipped_and_merged():
    class R:
        def __init__(self, start, end):
            self.start, self.end = start, end

    assert rendition_spans([R(0.1, 1.0), R(1.3, 2.0), R(9.9, 10.0)], 10.0) == [
        [0.0, 2.25],
        [9.65, 10.0],
    ]


def test_suggestions_find_names_numbers_and_addresses(recorded):
    line = Segment.objects.get(transcript__story=recorded, index=0)
    text = (
        "Then Ann Lee rang me on 07700 900123 and wrote to ann@example.org "
        "about 12 Station Road, CF10 1AA."
    )
    line.text, line.words = text, whisper_words(text, line.start, line.end)
    line.save()
    found = {(s.kind, s.text) for s in redaction_suggestions(recorded.transcript)}
    assert ("name", "Ann Lee") in found
    assert ("phone", "07700 900123") in found
    assert ("email", "ann@example.org") in found
    assert ("street", "12 Station Road,") in found
    assert ("postcode", "CF10 1AA.") in found
    assert not any(text == "Then" for _, text in found)  # a sentence's first word is not a name
