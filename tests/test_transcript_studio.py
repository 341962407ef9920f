"""The transcript studio: join, split, replace, who speaks, name the voices, undo; in place."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from stories import services
from stories.models import (
    EditKind,
    Segment,
    Speaker,
    StoryChange,
    StoryEvent,
    StoryStatus,
    Transcript,
    TranscriptEdit,
)
from stories.transcript_edits import (
    transcript_edit_undo,
    transcript_line_speaker,
    transcript_line_split,
    transcript_lines_join,
    transcript_speakers_name,
    transcript_words_replace,
)
from stories.transcripts import ReviewRefused, transcript_segment_edit

pytestmark = pytest.mark.django_db


def words(text: str, start: float, step: float = 0.5, sure: float = 0.9) -> list[dict]:
    return [
        {"start": start + i * step, "end": start + i * step + 0.4, "text": w, "probability": sure}
        for i, w in enumerate(text.split())
    ]


LINES = [
    (0.0, 2.0, "My name is Sarah and I"),
    (2.0, 4.5, "have lived here for twenty years."),
    (5.0, 8.0, "What changed when the library closed?"),
]


@pytest.fixture
def story(make_story):
    story = make_story(status="draft", kind="audio", text="")
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    transcript = Transcript.objects.create(story=story, engine="faster-whisper")
    me = Speaker.objects.create(transcript=transcript, label="S1")
    other = Speaker.objects.create(transcript=transcript, label="S2")
    for index, (start, end, text) in enumerate(LINES):
        Segment.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            text=text,
            words=words(text, start, step=(end - start) / len(text.split())),
            speaker=me if index < 2 else other,
            confidence=0.8,
        )
    return story


def texts(story) -> list[str]:
    return list(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("text", flat=True)
    )


def line(story, index: int) -> Segment:
    return Segment.objects.get(transcript__story=story, index=index)


def test_joining_two_lines_keeps_the_words_and_their_times(story, storyteller):
    joined = transcript_lines_join(segment=line(story, 0), actor=storyteller)
    assert texts(story) == [
        "My name is Sarah and I have lived here for twenty years.",
        "What changed when the library closed?",
    ]
    assert (joined.start, joined.end) == (0.0, 4.5)
    assert [w["text"] for w in joined.words] == joined.text.split()
    assert list(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("index", flat=True)
    ) == [0, 1]
    edit = TranscriptEdit.objects.get()
    assert (edit.kind, edit.first_index, len(edit.before), len(edit.after)) == ("join", 0, 2, 1)
    assert edit.edited_by == storyteller
    assert StoryEvent.objects.filter(action="transcript.join").exists()


def test_lines_of_different_speakers_are_not_joined(story, storyteller):
    with pytest.raises(ReviewRefused, match="spoken by different people"):
        transcript_lines_join(segment=line(story, 1), actor=storyteller)
    with pytest.raises(ReviewRefused, match="last line"):
        transcript_lines_join(segment=line(story, 2), actor=storyteller)


def test_splitting_at_the_cursor_puts_the_times_between_the_words(story, storyteller):
    text = line(story, 2).text
    cut = text.index("when")
    first, second = transcript_line_split(segment=line(story, 2), at=cut, actor=storyteller)
    assert (first.text, second.text) == ("What changed", "when the library closed?")
    kept = words(LINES[2][2], 5.0, step=3.0 / 6)
    assert first.end == pytest.approx(kept[1]["end"]) and second.start == pytest.approx(
        kept[2]["start"]
    )
    assert (first.start, second.end) == (5.0, 8.0)
    assert second.speaker_id == first.speaker_id and second.index == 3


def test_a_cut_inside_a_word_moves_to_its_start_and_an_empty_side_is_refused(story, storyteller):
    first, second = transcript_line_split(
        segment=line(story, 0), at=len("My na"), actor=storyteller
    )
    assert (first.text, second.text) == ("My", "name is Sarah and I")
    with pytest.raises(ReviewRefused, match="between two words"):
        transcript_line_split(segment=line(story, 0), at=0, actor=storyteller)


def test_replace_everywhere_counts_and_keeps_whole_words(story, storyteller):
    count, lines = transcript_words_replace(
        transcript=story.transcript,
        find="the library",
        replacement="the Carnegie library",
        actor=storyteller,
    )
    assert (count, lines) == (1, 1)
    assert texts(story)[2] == "What changed when the Carnegie library closed?"
    count, _ = transcript_words_replace(
        transcript=story.transcript, find="I", replacement="I", actor=storyteller
    )
    assert count == 1  # "I", not the i of "is" or "library"
    with pytest.raises(ReviewRefused, match="is not in the transcript"):
        transcript_words_replace(
            transcript=story.transcript, find="bus", replacement="train", actor=storyteller
        )


def test_undo_takes_changes_back_last_first(story, storyteller):
    original = texts(story)
    transcript_segment_edit(segment=line(story, 0), text="My name is Sara and I", actor=storyteller)
    transcript_lines_join(segment=line(story, 0), actor=storyteller)
    transcript_line_split(segment=line(story, 1), at=4, actor=storyteller)
    transcript_line_speaker(segment=line(story, 0), speaker=None, actor=storyteller)
    for kind in ("speaker", "split", "join", "correct"):
        undone = TranscriptEdit.objects.filter(undone_at__isnull=True).exclude(kind="undo").first()
        assert undone.kind == kind
        transcript_edit_undo(transcript=story.transcript, actor=storyteller)
    assert texts(story) == original
    assert line(story, 0).speaker.label == "S1" and line(story, 2).speaker.label == "S2"
    assert TranscriptEdit.objects.filter(kind=EditKind.UNDO).count() == 4
    with pytest.raises(ReviewRefused, match="no change left to undo"):
        transcript_edit_undo(transcript=story.transcript, actor=storyteller)


def test_only_the_storyteller_edits_and_only_while_it_may_be_corrected(story, storyteller, curator):
    with pytest.raises(PermissionDenied):
        transcript_lines_join(segment=line(story, 0), actor=curator)
    transcript_lines_join(segment=line(story, 0), actor=storyteller)
    services.consent_withdraw(story=story, actor=storyteller)
    # Withdrawal erases the transcript, and with it every change kept for undoing.
    assert not Segment.objects.filter(transcript__story=story).exists()
    assert not TranscriptEdit.objects.exists()


def test_naming_the_voices_and_only_one_is_me(story, storyteller):
    s1, s2 = Speaker.objects.filter(transcript__story=story).order_by("label")
    transcript_speakers_name(
        transcript=story.transcript,
        names={s1.pk: ("", True), s2.pk: ("Interviewer", False)},
        actor=storyteller,
    )
    s1.refresh_from_db(), s2.refresh_from_db()
    assert s1.is_storyteller and s2.name == "Interviewer"
    with pytest.raises(ReviewRefused, match="Only one speaker can be you"):
        transcript_speakers_name(
            transcript=story.transcript,
            names={s1.pk: ("", True), s2.pk: ("", True)},
            actor=storyteller,
        )


def test_the_page_script_gets_the_lines_drawn_again_as_json(client, story, storyteller):
    client.force_login(storyteller)
    StoryChange.objects.all().delete()
    first = line(story, 0)
    response = client.post(
        reverse("storyteller:join", args=[story.pk, first.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Lines 1 and 2 joined."
    assert "My name is Sarah and I have lived here for twenty years." in data["lines"]
    assert data["lines"].count('class="segment"') == 2
    assert "Undo joining lines 1 and 2" in data["tools"]
    assert StoryChange.objects.filter(story_id=story.pk).exists()

    refused = client.post(
        reverse("storyteller:join", args=[story.pk, line(story, 1).pk]),
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400 and "last line" in refused.json()["error"]


def test_a_bar_in_a_correction_splits_the_line_without_javascript(client, story, storyteller):
    client.force_login(storyteller)
    target = line(story, 2)
    response = client.post(
        reverse("storyteller:segment_edit", args=[story.pk, target.pk]),
        {f"s{target.pk}-text": "What changed | when the libary closed?"},
    )
    assert response.status_code == 302
    assert texts(story)[2:] == ["What changed", "when the libary closed?"]
    page = client.get(reverse("storyteller:review", args=[story.pk])).content.decode()
    assert "Undo splitting line 3" in page
    assert client.post(reverse("storyteller:undo", args=[story.pk])).status_code == 302
    assert texts(story)[2:] == ["What changed when the libary closed?"]  # the split undone


def test_unsure_words_are_marked_and_listed_first(client, story, storyteller):
    target = line(story, 1)
    target.words[2]["probability"] = 0.2  # "here"
    target.save()
    client.force_login(storyteller)
    page = client.get(reverse("storyteller:review", args=[story.pk])).content.decode()
    assert '<mark class="unsure">here<span class="visually-hidden"> (unsure)</span></mark>' in page
    assert f'Check them first, in line\n      <a href="#segment-{target.pk}">2</a>' in page


def test_speaker_names_reach_the_captions_as_the_consent_allows(client, story, storyteller):
    from stories.models import ConsentMethod

    s1, s2 = Speaker.objects.filter(transcript__story=story).order_by("label")
    transcript_speakers_name(
        transcript=story.transcript,
        names={s1.pk: ("", True), s2.pk: ("Interviewer", False)},
        actor=storyteller,
    )
    for target in ("approved", "published"):
        services.story_transition(story=story, target=target, actor=storyteller)
    services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        public=True,
        quotes_allowed=True,
        attribution="anonymous",
    )
    vtt = client.get(reverse("transcribe:download", args=[story.pk, "vtt"])).content.decode()
    assert "<v Anonymous storyteller>My name is Sarah and I</v>" in vtt
    assert "<v Interviewer>What changed when the library closed?</v>" in vtt
    srt = client.get(reverse("transcribe:download", args=[story.pk, "srt"])).content.decode()
    assert "Interviewer: What changed" in srt and "Stella" not in srt
    data = client.get(reverse("transcribe:download", args=[story.pk, "json"])).json()
    assert [s["speaker"] for s in data["segments"]] == [
        "Anonymous storyteller",
        "Anonymous storyteller",
        "Interviewer",
    ]
    client.force_login(storyteller)  # the storyteller's own download names them
    vtt = client.get(reverse("transcribe:download", args=[story.pk, "vtt"])).content.decode()
    assert "<v Stella>My name is Sarah and I</v>" in vtt


def test_the_public_transcript_names_each_turn_as_the_consent_allows(client, story, storyteller):
    from public.links import ArchiveLinks
    from stories.models import ConsentMethod
    from stories.transcripts import transcript_approve

    s1, s2 = Speaker.objects.filter(transcript__story=story).order_by("label")
    transcript_speakers_name(
        transcript=story.transcript,
        names={s1.pk: ("", True), s2.pk: ("Interviewer", False)},
        actor=storyteller,
    )
    transcript_approve(story=story, actor=storyteller)
    services.story_transition(story=story, target="published", actor=storyteller)
    services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        public=True,
        attribution="anonymous",
    )
    page = client.get(ArchiveLinks().story(story)).content.decode()
    # A name at each change of voice, not on every line.
    assert page.count('<strong class="cue-speaker">Anonymous storyteller:</strong>') == 1
    assert page.count('<strong class="cue-speaker">Interviewer:</strong>') == 1
    assert "Stella" not in page


def test_a_change_of_voice_is_suggested_as_a_chapter():
    from types import SimpleNamespace

    from stories.chapter_suggestions import suggest_chapters

    lines = [
        SimpleNamespace(start=0.0, end=11.0, text="Tell me about the library.", speaker_id=2),
        SimpleNamespace(start=11.5, end=30.0, text="It closed in the spring.", speaker_id=1),
        SimpleNamespace(start=30.2, end=35.0, text="And then we met in the hall.", speaker_id=1),
    ]
    found = {s.start: s.reason for s in suggest_chapters(lines)}
    assert found == {0.0: "The recording begins.", 11.5: "Another voice speaks here."}


def test_public_captions_may_be_loaded_by_players_on_other_sites(client, story, storyteller):
    from stories.models import ConsentMethod
    from stories.transcripts import transcript_approve

    transcript_approve(story=story, actor=storyteller)
    services.story_transition(story=story, target="published", actor=storyteller)
    services.consent_record(
        story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True, public=True
    )
    vtt = client.get(reverse("transcribe:download", args=[story.pk, "vtt"]))
    assert vtt["Access-Control-Allow-Origin"] == "*"
    json_file = client.get(reverse("transcribe:download", args=[story.pk, "json"]))
    assert not json_file.has_header("Access-Control-Allow-Origin")
    client.force_login(storyteller)  # a signed-in reader's answer is theirs alone
    own = client.get(reverse("transcribe:download", args=[story.pk, "vtt"]))
    assert not own.has_header("Access-Control-Allow-Origin")
