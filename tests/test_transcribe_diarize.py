"""Speaker turns are found offline, with the number of speakers found rather than given.

Interviews are synthesised here with espeak-ng voices and known turns (pauses of varied length,
and one turn that follows with no pause at all), then diarized with the real encoder weights
and Silero VAD. The diarization error rate (DER) is counted with the usual 0.25 s collar. The
threshold, 0.10, is above what these interviews measure (0.00 to 0.01) by enough to allow for
other CPUs' arithmetic, and far below what a wrong speaker count gives (a missed voice costs
its whole share of the speech, 0.25 and more here).
"""

from __future__ import annotations

import numpy as np
import pytest

from transcribe import synth
from transcribe.der import DiarizationError, diarization_error
from transcribe.diarize import Turn, diarize

DER_THRESHOLD = 0.10


@pytest.mark.slow  # about 5 CPU seconds each: synthesis, then the encoder over every window
@pytest.mark.parametrize(
    ("script", "voices"), [(synth.TWO_VOICES, 2), (synth.THREE_VOICES, 3)], ids=["two", "three"]
)
def test_an_interviews_turns_are_found_with_a_low_error_rate(script, voices) -> None:
    samples, truth = synth.interview(script)
    turns = diarize(samples)
    assert len({t.label for t in turns}) == voices
    error = diarization_error(truth, turns)
    assert error.rate <= DER_THRESHOLD, error
    assert [t.label for t in turns][:voices] == [f"S{n}" for n in range(1, voices + 1)]
    # The turn that follows with no pause is still found, close to where the voice changes.
    follows = next(i for i, (_, _, pause) in enumerate(script) if pause == 0.0)
    change = truth[follows].start
    edges = [t.start for t in turns if t.label == truth[follows].label]
    assert min(abs(edge - change) for edge in edges) < 0.5


@pytest.mark.slow
def test_one_voice_gives_one_speaker() -> None:
    script = [(1, sentence, 0.6) for sentence in synth._sentences()[:5]]
    samples, truth = synth.interview(script)
    turns = diarize(samples)
    assert {t.label for t in turns} == {"S1"}
    assert diarization_error(truth, turns).rate <= DER_THRESHOLD


def test_silence_gives_no_turns() -> None:
    assert diarize(np.zeros(16_000 * 3, dtype=np.float32)) == []


def t(start: float, end: float, label: str) -> Turn:
    return Turn(start, end, label)


def test_the_error_rate_maps_labels_and_counts_each_kind_of_error() -> None:
    truth = [t(0, 10, "A"), t(10, 20, "B")]
    assert diarization_error(truth, [t(0, 10, "S2"), t(10, 20, "S1")]).rate == 0.0
    # Half of B's time given to A's voice: 5 s confused out of 20 (no collar).
    confused = diarization_error(truth, [t(0, 15, "S1"), t(15, 20, "S2")], collar=0.0)
    assert confused == DiarizationError(missed=0.0, false_alarm=0.0, confusion=5.0, total=20.0)
    assert confused.rate == pytest.approx(0.25)
    # 2 s missed, 3 s found where nobody spoke.
    gaps = diarization_error(truth, [t(2, 10, "x"), t(10, 23, "y")], collar=0.0)
    assert (gaps.missed, gaps.false_alarm, gaps.confusion) == pytest.approx((2.0, 3.0, 0.0))
    # The collar leaves out 0.25 s either side of every true turn's edges.
    near = diarization_error(truth, [t(0.2, 10.2, "a"), t(10.2, 20, "b")])
    assert near.rate == 0.0 and near.total == pytest.approx(20 - 4 * 0.25)
    # One voice found for two: the smaller one is all confusion.
    merged = diarization_error(truth, [t(0, 20, "S1")], collar=0.0)
    assert merged.rate == pytest.approx(0.5)
