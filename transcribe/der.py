"""Diarization error rate: how much of the speech is given to the wrong voice, or missed.

As NIST's md-eval and pyannote.metrics count it: (missed speech + false alarm + confusion) /
total reference speech, after mapping the found voices onto the true ones so that they agree
the most, and leaving out ``collar`` seconds either side of every true turn's start and end
(where annotators themselves disagree). Counted on a 10 ms grid.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

STEP = 0.01  # seconds
COLLAR = 0.25


class Labelled(Protocol):
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class DiarizationError:
    missed: float  # seconds of true speech where no voice was found
    false_alarm: float  # seconds where a voice was found but none spoke
    confusion: float  # seconds given to the wrong voice
    total: float  # seconds of true speech scored

    @property
    def rate(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / self.total if self.total else 0.0


def _grid(turns: Sequence[Labelled], labels: list[str], length: int) -> npt.NDArray[np.bool_]:
    grid = np.zeros((len(labels), length), dtype=bool)
    for turn in turns:
        a, b = round(turn.start / STEP), round(turn.end / STEP)
        grid[labels.index(turn.label), max(0, a) : max(0, b)] = True
    return grid


def _best_mapping(overlap: npt.NDArray[np.float64]) -> float:
    """The most frames the two label sets can agree on, one found voice per true voice."""
    rows, cols = overlap.shape
    if max(rows, cols) <= 7:  # every one-to-one mapping
        if rows <= cols:
            return max(
                (
                    sum(overlap[r, c] for r, c in enumerate(p))
                    for p in itertools.permutations(range(cols), rows)
                ),
                default=0.0,
            )
        return _best_mapping(overlap.T)
    total, work = 0.0, overlap.copy()  # many voices: greedily, largest agreement first
    while work.size and work.max() > 0:
        r, c = np.unravel_index(int(np.argmax(work)), work.shape)
        total += float(work[r, c])
        work[r, :] = -1
        work[:, c] = -1
    return total


def diarization_error(
    reference: Sequence[Labelled], hypothesis: Sequence[Labelled], *, collar: float = COLLAR
) -> DiarizationError:
    end = max([t.end for t in [*reference, *hypothesis]], default=0.0) + collar
    length = round(end / STEP) + 1
    ref_labels = sorted({t.label for t in reference})
    hyp_labels = sorted({t.label for t in hypothesis})
    ref = _grid(reference, ref_labels, length)
    hyp = _grid(hypothesis, hyp_labels, length)
    scored = np.ones(length, dtype=bool)
    reach = round(collar / STEP)
    for turn in reference:
        for edge in (turn.start, turn.end):
            at = round(edge / STEP)
            scored[max(0, at - reach) : at + reach] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    overlap = ref.astype(np.float64) @ hyp.T.astype(np.float64)
    correct = _best_mapping(overlap) if overlap.size else 0.0
    return DiarizationError(
        missed=float(np.maximum(0, n_ref - n_hyp).sum()) * STEP,
        false_alarm=float(np.maximum(0, n_hyp - n_ref).sum()) * STEP,
        confusion=(float(np.minimum(n_ref, n_hyp).sum()) - correct) * STEP,
        total=float(n_ref.sum()) * STEP,
    )
