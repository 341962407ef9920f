"""Who spoke when: speaker turns found in a recording, offline, with no count given.

1. Voice activity (Silero VAD, shipped inside faster-whisper) finds the stretches of speech.
2. Each stretch is cut into overlapping windows (1.5 s every 0.75 s) that never cross a pause;
   each window becomes a 256-number voice embedding (``transcribe.speaker_encoder``).
3. The windows are grouped bottom-up (average linkage on cosine similarity) until the closest
   two groups are less alike than one voice is with itself: how many speakers there are is
   what the grouping finds. Each window then joins the voice whose centre it is nearest, and a
   "voice" heard for less than two seconds (windows straddling a change) joins its nearest.
4. Every 10 ms of speech takes the voice of the window centred nearest to it, so a change of
   voice at a pause falls exactly on it and one without a pause within half a window; turns
   too short to be a turn join their neighbour, and a voice's turns a short pause apart
   become one.

Labels are "S1", "S2"… in the order the voices are first heard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from transcribe.speaker_encoder import (
    FRAMES_PER_SECOND,
    SAMPLE_RATE,
    load_encoder,
    mel_frames,
    normalise_volume,
    one_blas_thread,
)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

WINDOW_SECONDS = 1.5  # long enough to hear a voice, short enough to fall inside one turn
HOP_SECONDS = 0.75
# Average cosine similarity below which two groups of windows are two voices (tuned on espeak-ng
# interviews: one voice's windows average about 0.8 with each other, two voices 0.45 to 0.65).
SAME_VOICE_SIMILARITY = 0.70
MIN_SPEAKER_SECONDS = 2.0  # less than this is windows straddling a change, not a voice
MIN_TURN_SECONDS = 0.6  # a shorter turn is taken as its neighbour's
MERGE_GAP_SECONDS = 1.0  # one voice's turns this close together are one turn
MIN_WINDOW_SECONDS = 0.5  # a shorter stretch of speech is too short to tell a voice by
MAX_UNITS = 400  # windows clustered directly; longer recordings cluster running means first
BATCH = 128  # windows embedded at once (about 100 MB of working memory)


@dataclass(frozen=True)
class Turn:
    start: float  # seconds
    end: float
    label: str  # "S1", "S2"… in order of first appearance


def speech_spans(samples: FloatArray) -> list[tuple[float, float]]:
    """Where a voice is heard, in seconds; pauses of a quarter second and more split spans."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=250, speech_pad_ms=60)
    return [
        (s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE)
        for s in get_speech_timestamps(samples, options)
    ]


def _span_frames(spans: list[tuple[float, float]], total: int) -> list[tuple[int, int]]:
    """Each speech span as [first, last) mel frames, inside the recording."""
    frames = []
    for start, end in spans:
        a = max(0, round(start * FRAMES_PER_SECOND))
        b = min(total, round(end * FRAMES_PER_SECOND))
        if b > a:
            frames.append((a, b))
    return frames


def windows(spans: list[tuple[int, int]]) -> tuple[IntArray, IntArray, IntArray]:
    """Windows of mel frames inside each span: (frame indices, centre frame, span number).

    A window never crosses a pause, so a change of voice at a pause is found exactly. A span
    shorter than a window but long enough to hear a voice is repeated to fill one window;
    shorter still, it gets none and takes the voice of the nearest window.
    """
    size = int(WINDOW_SECONDS * FRAMES_PER_SECOND)
    hop = int(HOP_SECONDS * FRAMES_PER_SECOND)
    rows: list[IntArray] = []
    centres: list[int] = []
    owners: list[int] = []
    for n, (a, b) in enumerate(spans):
        length = b - a
        if length < MIN_WINDOW_SECONDS * FRAMES_PER_SECOND:
            continue
        if length <= size:
            rows.append(a + np.arange(size, dtype=np.int64) % length)
            centres.append((a + b) // 2)
            owners.append(n)
            continue
        starts = list(range(a, b - size + 1, hop))
        if starts[-1] + size < b:
            starts.append(b - size)  # the end of the span gets a window too
        for s in starts:
            rows.append(np.arange(s, s + size, dtype=np.int64))
            centres.append(s + size // 2)
            owners.append(n)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((0, size), dtype=np.int64), empty, empty
    return np.stack(rows), np.asarray(centres, dtype=np.int64), np.asarray(owners, dtype=np.int64)


def embed(mels: FloatArray, index: IntArray) -> FloatArray:
    """The voice embedding of each window (rows of mel frame indices), a batch at a time."""
    encoder = load_encoder()
    return np.concatenate(
        [encoder.embed(mels[index[i : i + BATCH]]) for i in range(0, len(index), BATCH)]
    )


def _unit(x: FloatArray) -> FloatArray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    out: FloatArray = (x / np.maximum(norms, 1e-9)).astype(np.float32)
    return out


def cluster(embeddings: FloatArray, *, threshold: float = SAME_VOICE_SIMILARITY) -> IntArray:
    """Group unit embeddings by average-linkage agglomeration; how many groups is found.

    Two groups merge while their windows' mean cosine similarity is at least ``threshold``.
    Beyond ``MAX_UNITS`` windows, running means of neighbouring windows are grouped instead, then
    every window joins the nearest group centre (so the cost stays bounded on long stories).
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    step = max(1, -(-n // MAX_UNITS))
    units = _unit(
        np.stack([embeddings[i : i + step].mean(axis=0) for i in range(0, n, step)])
    ).astype(np.float64)
    sums = units @ units.T  # sum of pairwise similarities between groups
    sizes = np.ones(len(units))
    alive = np.ones(len(units), dtype=bool)
    members: list[list[int]] = [[i] for i in range(len(units))]
    while alive.sum() > 1:
        mean = sums / np.outer(sizes, sizes)
        mean[~alive, :] = -np.inf
        mean[:, ~alive] = -np.inf
        np.fill_diagonal(mean, -np.inf)
        a, b = np.unravel_index(int(np.argmax(mean)), mean.shape)
        if mean[a, b] < threshold:
            break
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        sizes[a] += sizes[b]
        alive[b] = False
        members[a] += members[b]
    groups = [members[i] for i in np.flatnonzero(alive)]
    centres = _unit(np.stack([units[g].mean(axis=0) for g in groups]).astype(np.float32))
    return _nearest(embeddings, centres)


def _nearest(embeddings: FloatArray, centres: FloatArray) -> IntArray:
    return np.asarray(np.argmax(embeddings @ centres.T, axis=1), dtype=np.int64)


def _drop_small_voices(embeddings: FloatArray, labels: IntArray, *, min_windows: int) -> IntArray:
    """Voices heard in fewer than ``min_windows`` windows join the nearest other voice."""
    while True:
        counts = np.bincount(labels)
        present = np.flatnonzero(counts)
        small = [k for k in present if counts[k] < min_windows]
        if not small or len(present) <= 1:
            return labels
        keep = [k for k in present if k != min(small, key=lambda k: counts[k])]
        centres = _unit(np.stack([embeddings[labels == k].mean(axis=0) for k in keep]))
        labels = np.asarray(keep, dtype=np.int64)[_nearest(embeddings, centres)]


def _runs(
    spans: list[tuple[int, int]], centres: IntArray, owners: IntArray, labels: IntArray
) -> list[tuple[float, float, int]]:
    """Turns (start, end, voice) in seconds: each frame of a span takes the voice of the
    span's window centred nearest to it (of any window, for a span too short to have one)."""
    runs: list[tuple[float, float, int]] = []
    for n, (a, b) in enumerate(spans):
        own = owners == n
        mine, voices = (centres[own], labels[own]) if own.any() else (centres, labels)
        frames = np.arange(a, b)
        nearest = np.argmin(np.abs(frames[:, None] - mine[None, :]), axis=1)
        frame_voices = voices[nearest]
        changes = np.flatnonzero(np.diff(frame_voices)) + 1
        for lo, hi in zip([0, *changes], [*changes, len(frames)], strict=True):
            runs.append(
                ((a + lo) / FRAMES_PER_SECOND, (a + hi) / FRAMES_PER_SECOND, int(frame_voices[lo]))
            )
    return runs


def _smooth(runs: list[tuple[float, float, int]]) -> list[tuple[float, float, int]]:
    """Short turns take their longer neighbour's voice; one voice's close turns join."""
    runs = list(runs)
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (start, end, voice) in enumerate(runs):
            if end - start >= MIN_TURN_SECONDS:
                continue
            neighbours = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
            other = max(neighbours, key=lambda r: r[1] - r[0])
            if other[2] != voice:
                runs[i] = (start, end, other[2])
                changed = True
        merged: list[tuple[float, float, int]] = []
        for run in runs:
            if merged and merged[-1][2] == run[2] and run[0] - merged[-1][1] <= MERGE_GAP_SECONDS:
                merged[-1] = (merged[-1][0], run[1], run[2])
            else:
                merged.append(run)
        changed = changed or len(merged) != len(runs)
        runs = merged
    return runs


def diarize(samples: FloatArray, spans: list[tuple[float, float]] | None = None) -> list[Turn]:
    """The speaker turns of 16 kHz mono audio; ``spans`` of speech (seconds) if already known."""
    samples = normalise_volume(np.asarray(samples, dtype=np.float32))
    if spans is None:
        spans = speech_spans(samples)
    with one_blas_thread():
        mels = mel_frames(samples)
    frame_spans = _span_frames(spans, len(mels))
    index, centres, owners = windows(frame_spans)
    if len(index) == 0:  # no stretch of speech long enough to hear a voice in
        return []
    embeddings = embed(mels, index)
    labels = cluster(embeddings)
    min_windows = max(1, int(MIN_SPEAKER_SECONDS / HOP_SECONDS))
    labels = _drop_small_voices(embeddings, labels, min_windows=min_windows)
    runs = _smooth(_runs(frame_spans, centres, owners, labels))
    names: dict[int, str] = {}
    for _, _, voice in runs:
        names.setdefault(voice, f"S{len(names) + 1}")
    return [Turn(round(a, 2), round(b, 2), names[v]) for a, b, v in runs]
