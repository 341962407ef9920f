"""Redacted recordings: what rendering one costs, and what the check by listening adds.

    .venv/bin/python bench/redaction.py              # about 6 minutes of speech, 10 spans
    .venv/bin/python bench/redaction.py --minutes 2  # shorter
    .venv/bin/python bench/redaction.py --full       # and, for scale, transcribing it all

The recording is synthesised speech (espeak-ng, the four passages of `transcribe.synth`) tiled
to the length asked for, written as WAV, M4A (AAC) and MP4 (a small H.264 picture beside AAC
sound, as `synth.convert` makes it). Ten spans of about a name's length plus the guard band
are silenced in each (`transcribe.media.silence_spans`: decode, silence, encode; the picture
copied), best of three, and the rendition is checked by listening
(`transcribe.renditions.listen`: the configured model over each span with its context, and the
RMS inside each span). Figures: seconds per audio minute, and the ratio to real time (audio
seconds per wall second: higher is faster). Needs espeak-ng, sox and ffmpeg.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.base")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from stories.redactions import GUARD_SECONDS  # noqa: E402
from transcribe import synth  # noqa: E402
from transcribe.media import SAMPLE_RATE, decode_audio, silence_spans  # noqa: E402
from transcribe.renditions import RMS_FLOOR, listen  # noqa: E402
from transcribe.services import loaded_engine  # noqa: E402

SPANS = 10
NAME_SECONDS = 0.6  # about one spoken name


def make_recording(folder: Path, minutes: float) -> Path:
    parts = [synth.speak(text, folder / f"part{i}.wav") for i, text in enumerate(synth.ENGLISH)]
    once = decode_audio(synth.concatenate(parts, folder / "once.wav"))
    tiles = int(np.ceil(minutes * 60 * SAMPLE_RATE / len(once)))
    samples = np.tile(once, tiles)[: round(minutes * 60 * SAMPLE_RATE)]
    return synth.write_wav(samples, folder / "speech.wav")


def spans_over(seconds: float) -> list[list[float]]:
    step = seconds / (SPANS + 1)
    return [
        [round(step * (i + 1) - GUARD_SECONDS, 3), round(step * (i + 1) + NAME_SECONDS, 3)]
        for i in range(SPANS)
    ]


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times), times


def report(label: str, seconds: float, audio: float, times: list[float]) -> None:
    spread = f"{min(times):.2f}-{max(times):.2f} s" if len(times) > 1 else ""
    print(
        f"  {label:<28} {seconds:7.2f} s  {seconds / (audio / 60):6.2f} s per audio minute  "
        f"{audio / seconds:7.1f}x real time  {spread}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also transcribe the whole recording")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-redaction-") as tmp:
        folder = Path(tmp)
        wav = make_recording(folder, args.minutes)
        audio = len(decode_audio(wav)) / SAMPLE_RATE
        spans = spans_over(audio)
        sources = [wav, synth.convert(wav, folder / "speech.m4a")]
        sources.append(synth.convert(wav, folder / "speech.mp4"))
        silenced = sum(b - a for a, b in spans)
        print(
            f"{audio / 60:.1f} minutes of speech, {SPANS} spans ({silenced:.1f} s silenced); "
            f"best of {args.runs}, {os.cpu_count()} cores"
        )
        print("Rendering (decode, silence the spans, encode; a video's picture copied):")
        made: Path = wav
        for source in sources:
            made = folder / f"redacted{source.suffix}"
            seconds, times = best_of(args.runs, lambda s=source, m=made: silence_spans(s, m, spans))
            report(source.suffix.lstrip(".").upper(), seconds, audio, times)
        engine = loaded_engine()
        engine.transcribe(decode_audio(wav)[: SAMPLE_RATE * 2])  # load the model first
        print(f"Checking by listening ({engine.model_name}, each span with its context):")
        for source in (folder / "redacted.wav", folder / "redacted.m4a"):
            verdict = None

            def check(path: Path = source) -> None:
                nonlocal verdict
                verdict = listen(path, spans, "Sarah lockdown library", engine=engine)

            seconds, times = best_of(args.runs, check)
            report(f"check {source.suffix.lstrip('.').upper()}", seconds, audio, times)
            assert verdict is not None
            print(
                f"  {'':<28} {seconds / SPANS:7.2f} s per span; heard {list(verdict.heard)}, "
                f"loudest span RMS {verdict.loudest:.5f} (floor {RMS_FLOOR})"
            )
        if args.full:
            seconds, times = best_of(1, lambda: engine.transcribe(str(wav)))
            report("transcribing it all", seconds, audio, times)


if __name__ == "__main__":
    main()
