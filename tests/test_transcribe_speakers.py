"""Each segment says who speaks it: segments split where the speaker changes, stored as Speakers.

The split and the storage are checked on small hand-made results; the whole path (a two-voice
interview synthesised with espeak-ng, the real Whisper model, the real speaker encoder, the job
that stores the transcript) runs once, marked whisper.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from stories.models import Speaker, Transcript
from stories.transcripts import transcript_replace
from tests.transcribe_helpers import story_with_media
from transcribe import services, speaker_encoder, synth
from transcribe.diarize import Turn
from transcribe.engines import Segment, TranscriptionResult, Word
from transcribe.engines.speakers import split_at_turns, with_speakers
from transcribe.models import TranscriptionJob


def words(*timed: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(a, b, text, 0.8 + i / 100) for i, (a, b, text) in enumerate(timed))


def test_a_segment_is_split_between_words_where_the_speaker_changes() -> None:
    segment = Segment(
        1.0,
        5.0,
        "And who comes? We started a group.",
        0.85,
        words(
            (1.0, 1.4, "And"),
            (1.4, 1.8, "who"),
            (1.8, 2.3, "comes?"),
            (2.4, 2.9, "We"),
            (2.9, 3.5, "started"),
            (3.5, 3.8, "a"),
            (3.8, 4.9, "group."),
        ),
    )
    turns = [Turn(0.9, 2.35, "S1"), Turn(2.35, 6.0, "S2")]
    first, second = split_at_turns([segment], turns)
    assert (first.start, first.end, first.text, first.speaker) == (1.0, 2.3, "And who comes?", "S1")
    assert (second.start, second.end, second.text, second.speaker) == (
        2.4,
        5.0,
        "We started a group.",
        "S2",
    )
    assert first.words == segment.words[:3] and second.words == segment.words[3:]
    assert first.confidence == pytest.approx(0.81) and second.confidence == pytest.approx(0.845)


def test_a_segment_of_one_voice_or_without_words_is_kept_whole_with_its_speaker() -> None:
    turns = [Turn(0.0, 3.0, "S1"), Turn(3.2, 9.0, "S2")]
    plain = Segment(2.5, 8.0, "No word times here.", 0.7)
    whole = Segment(0.5, 2.5, "Hello there.", 0.9, words((0.5, 1.0, "Hello"), (1.1, 2.5, "there.")))
    assert split_at_turns([whole, plain], turns) == (
        Segment(0.5, 2.5, "Hello there.", 0.9, whole.words, "S1"),
        Segment(2.5, 8.0, "No word times here.", 0.7, (), "S2"),
    )
    assert split_at_turns([plain], []) == (plain,)  # nothing heard: no speaker


def test_the_speaker_survives_the_results_dictionary() -> None:
    result = TranscriptionResult(
        (Segment(0.0, 1.0, "Hi.", 0.9, (), "S2"), Segment(1.0, 2.0, "Yes.")),
        "en",
        1.0,
        2.0,
        "e",
        "m",
    )
    assert TranscriptionResult.from_dict(result.to_dict()) == result


def test_a_transcript_is_kept_without_speakers_when_the_encoder_weights_changed(
    tmp_path, monkeypatch
) -> None:
    changed = tmp_path / "pretrained.pt"
    changed.write_bytes(speaker_encoder.weights_path().read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(speaker_encoder, "weights_path", lambda: changed)
    samples = synth.voice_samples(synth._sentences()[0], synth.INTERVIEW_VOICES[0])
    result = TranscriptionResult(
        (Segment(0.0, 2.0, "My name is Sarah."),), "en", 1.0, 4.0, "e", "m"
    )
    kept = with_speakers(result, samples)
    assert kept.segments == result.segments  # no speaker, nothing split
    assert kept.note.startswith("The speakers were not told apart: The speaker encoder's weight")
    assert "pip install --no-deps --force-reinstall" in kept.note


@pytest.mark.django_db
def test_speakers_are_stored_one_per_label_and_replaced_when_transcribed_again(make_story) -> None:
    story = make_story(status="draft")
    lines = [
        (0.0, 1.0, "Hello.", 0.9, None),
        (1.0, 2.0, "Hi.", 0.9, None),
        (2.0, 3.0, "So.", None, None),
    ]
    common = {"engine": "e", "model_name": "m", "language": "en"}
    with transaction.atomic():
        transcript = transcript_replace(
            story=story,
            segments=lines,
            language_probability=None,
            duration=3.0,
            note="",
            speakers=["S1", "S2", "S1"],
            **common,
        )
    first = {s.label: s.pk for s in transcript.speakers.all()}
    assert set(first) == {"S1", "S2"}
    assert [s.speaker.label for s in transcript.segments.order_by("index")] == ["S1", "S2", "S1"]
    Speaker.objects.filter(pk=first["S1"]).update(name="Interviewer")

    with transaction.atomic():
        transcript_replace(
            story=story,
            segments=lines[:2],
            language_probability=None,
            duration=3.0,
            note="",
            speakers=["S1", None],
            **common,
        )
    transcript = Transcript.objects.get(story=story)
    assert [(s.label, s.name) for s in transcript.speakers.all()] == [("S1", "")]
    assert not set(transcript.speakers.values_list("pk", flat=True)) & set(first.values())
    assert [s.speaker_id is None for s in transcript.segments.order_by("index")] == [False, True]
    with transaction.atomic():
        transcript_replace(
            story=story, segments=lines, language_probability=None, duration=3.0, note="", **common
        )
    assert not Speaker.objects.filter(transcript__story=story).exists()


@pytest.mark.whisper
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the heartbeat's own connection
def test_a_two_voice_interview_is_transcribed_into_two_speakers_split_at_each_turn(
    storyteller, tmp_path
) -> None:
    samples, truth = synth.interview(synth.TWO_VOICES)
    story = story_with_media(storyteller, synth.write_wav(samples, tmp_path / "interview.wav"))
    job = TranscriptionJob.objects.get(story=story)
    assert services.transcription_run(job_id=job.pk, worker="test:1") == "done"

    transcript = Transcript.objects.get(story=story)
    assert sorted(transcript.speakers.values_list("label", flat=True)) == ["S1", "S2"]
    segments = list(transcript.segments.select_related("speaker").order_by("index"))
    assert all(s.speaker is not None for s in segments)

    def voice_at(second: float) -> str | None:
        return next((t.label for t in truth if t.start - 0.3 <= second <= t.end + 0.3), None)

    # Every segment is the voice that spoke it (both number voices by first appearance).
    assert [s.speaker.label for s in segments] == [
        voice_at((s.start + s.end) / 2) for s in segments
    ]
    # Each turn's change of voice is a segment boundary, the one with no pause before it too.
    starts = [s.start for s in segments]
    for turn in truth[1:]:
        assert min(abs(turn.start - start) for start in starts) < 0.5, turn
