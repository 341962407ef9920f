"""Transcription benchmark: speed, memory and accuracy of the archive's engines on synthetic speech.

    .venv/bin/python bench/transcribe.py             # 2.5 minutes of speech, every configuration
    .venv/bin/python bench/transcribe.py --quick     # about 35 seconds of speech
    .venv/bin/python bench/transcribe.py --openai-model tiny.en  # and openai-whisper, if installed
    .venv/bin/python bench/transcribe.py --diarize   # speaker turns only: DER and their cost
    .venv/bin/python bench/transcribe.py --command   # only: manage.py transcribe on a short file

For tiny.en and base, int8 and float32, beam 1 and 5, sequential and batched, it prints the
real-time factor (seconds of audio per second of wall time: higher is faster), the peak memory
of a fresh process that loads the model and transcribes, and the word error rate against the
known text. Each configuration runs in its own process, and each is also timed calling
faster-whisper directly with the same options, so the archive's own overhead shows. Engines are
compared only at the same beam size. Needs espeak-ng and sox.

Speaker turns (always, or alone with --diarize): the diarization error rate (0.25 s collar) on
synthesised two- and three-voice interviews with known turns, and on a two-voice interview of
about 90 seconds the CPU seconds per audio second of transcription (the default model, two
threads) with and without diarization, and their ratio.

Then, on a short file (about 20 seconds), what one `manage.py transcribe` costs as a whole
(Django's start, the model's load, the transcription) next to a process that calls
faster-whisper directly, and next to the worker (`archive_worker`), which keeps its model loaded
between jobs; `manage.py help` shows Django's own start.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transcribe import synth  # noqa: E402
from transcribe.config import TranscribeConfig  # noqa: E402
from transcribe.media import SAMPLE_RATE, decode_audio  # noqa: E402
from transcribe.wer import word_error_rate  # noqa: E402

MODELS = ("tiny.en", "base")
COMPUTE = ("int8", "float32")
BEAMS = (1, 5)
BATCH = 8


def make_audio(folder: Path, *, quick: bool) -> tuple[Path, str]:
    passages = list(synth.ENGLISH[:2]) if quick else list(synth.ENGLISH) * 2
    parts = [synth.speak(text, folder / f"part{i}.wav") for i, text in enumerate(passages)]
    return synth.concatenate(parts, folder / "speech.wav"), " ".join(passages)


def best_of(runs: int, work) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - start)
    return best, value


def child(spec: dict) -> dict:
    """One configuration, in a fresh process: load, warm up, time archive and direct calls."""
    from faster_whisper import BatchedInferencePipeline

    from transcribe.engines import FasterWhisperEngine

    config = TranscribeConfig(
        model=spec["model"],
        compute_type=spec["compute_type"],
        beam_size=spec["beam"],
        batch_size=spec["batch"],
        model_cache=Path(spec["cache"]) if spec["cache"] else None,
    )
    engine = FasterWhisperEngine(config)
    started = time.perf_counter()
    model = engine.model()
    load = time.perf_counter() - started
    audio = spec["audio"]
    options = engine.decode_options(None)

    def direct() -> str:
        if config.batch_size:
            segments, _ = BatchedInferencePipeline(model).transcribe(
                audio, batch_size=config.batch_size, **options
            )
        else:
            segments, _ = model.transcribe(audio, **options)
        return " ".join(s.text for s in segments)

    warm = decode_audio(audio)[: 5 * SAMPLE_RATE]
    engine.transcribe(warm)
    list(model.transcribe(warm, **options)[0])

    archive_s = direct_s = float("inf")
    for _ in range(spec["repeat"]):  # interleaved, so background load hits both alike
        seconds, result = best_of(1, lambda: engine.transcribe(audio))
        archive_s = min(archive_s, seconds)
        seconds, direct_text = best_of(1, direct)
        direct_s = min(direct_s, seconds)
    return {
        **{k: spec[k] for k in ("model", "compute_type", "beam", "batch")},
        "load_s": load,
        "archive_s": archive_s,
        "direct_s": direct_s,
        "duration": result.duration,
        "wer": word_error_rate(spec["reference"], result.text),
        "direct_wer": word_error_rate(spec["reference"], direct_text),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "complete": result.complete,
    }


def openai_child(spec: dict) -> dict:
    from transcribe.engines.openai_whisper import OpenAIWhisperEngine

    engine = OpenAIWhisperEngine(
        TranscribeConfig(engine="openai-whisper", model=spec["model"], beam_size=spec["beam"])
    )
    engine.model()
    engine.transcribe(decode_audio(spec["audio"])[: 5 * SAMPLE_RATE])
    seconds, result = best_of(spec["repeat"], lambda: engine.transcribe(spec["audio"]))
    return {
        "model": spec["model"],
        "beam": spec["beam"],
        "archive_s": seconds,
        "duration": result.duration,
        "wer": word_error_rate(spec["reference"], result.text),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def cpu_best_of(runs: int, work) -> tuple[float, float, object]:
    """(least CPU seconds, least wall seconds, the last value) over ``runs`` calls."""
    cpu = wall = float("inf")
    value = None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        value = work()
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started)
    return cpu, wall, value


def diarize_child(spec: dict) -> dict:
    """Transcription with and without speaker turns, in CPU seconds (all threads counted)."""
    from transcribe.diarize import diarize
    from transcribe.engines import FasterWhisperEngine

    audio = decode_audio(spec["audio"])
    config = TranscribeConfig(cpu_threads=spec["threads"], diarize=False)
    plain = FasterWhisperEngine(config)
    with_turns = FasterWhisperEngine(config.with_overrides(diarize=True))
    with_turns.transcribe(audio[: 5 * SAMPLE_RATE])  # load both models first
    rows = {}
    for _ in range(spec["repeat"]):  # interleaved, so background load hits both alike
        for name, work in (
            ("transcribe", lambda: plain.transcribe(audio)),
            ("both", lambda: with_turns.transcribe(audio)),
            ("diarize", lambda: diarize(audio)),
        ):
            cpu, wall, value = cpu_best_of(1, work)
            best = rows.get(name, (float("inf"), float("inf"), None))
            rows[name] = (min(best[0], cpu), min(best[1], wall), value)
    speakers = {s.speaker for s in rows["both"][2].segments}
    return {
        "duration": len(audio) / SAMPLE_RATE,
        **{f"{k}_cpu": v[0] for k, v in rows.items()},
        **{f"{k}_wall": v[1] for k, v in rows.items()},
        "speakers": len(speakers - {None}),
    }


def bench_speakers(folder: Path, *, repeat: int, threads: int) -> None:
    from transcribe.der import diarization_error
    from transcribe.diarize import diarize

    print("\nSpeaker turns (espeak-ng voices, known turns; DER with a 0.25 s collar):")
    for name, script in (("two voices", synth.TWO_VOICES), ("three voices", synth.THREE_VOICES)):
        samples, truth = synth.interview(script)
        cpu, _, turns = cpu_best_of(1, lambda samples=samples: diarize(samples))
        error = diarization_error(truth, turns)
        found = len({t.label for t in turns})
        true = len({t.label for t in truth})
        print(
            f"  {name:12} {len(samples) / SAMPLE_RATE:5.1f} s  speakers {found} of {true}  "
            f"DER {error.rate:6.1%} (missed {error.missed:.2f} s, false alarm "
            f"{error.false_alarm:.2f} s, confusion {error.confusion:.2f} s of {error.total:.1f} s)"
            f"  {cpu / (len(samples) / SAMPLE_RATE):.3f} CPU s per audio s"
        )
    samples, truth = synth.interview(synth.long_interview(112.0))  # about 90 s
    audio = synth.write_wav(samples, folder / "interview.wav")
    spec = {"audio": str(audio), "repeat": repeat, "threads": threads}
    row = run_child(spec, kind="diarize")
    duration = row["duration"]
    print(
        f"\n{duration:.0f} s two-voice interview, tiny.en int8 beam 5 on {threads} threads, "
        f"best of {repeat} (CPU seconds of all threads, per second of audio):"
    )
    for label, key in (
        ("transcription alone", "transcribe"),
        ("diarization alone", "diarize"),
        ("transcription + diarization", "both"),
    ):
        print(
            f"  {label:28} {row[key + '_cpu']:7.1f} CPU s  {row[key + '_cpu'] / duration:6.3f} "
            f"per audio s  (wall {row[key + '_wall']:.1f} s)"
        )
    print(
        f"  ratio (transcription + diarization) / transcription: "
        f"{row['both_cpu'] / row['transcribe_cpu']:.2f} CPU, "
        f"{row['both_wall'] / row['transcribe_wall']:.2f} wall; speakers found: {row['speakers']}"
    )
    _, _, turns = cpu_best_of(1, lambda: diarize(samples))
    print(f"  DER on it: {diarization_error(truth, turns).rate:.1%}")


def run_child(spec: dict, *, kind: str = "faster") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, f"--{kind}-child", json.dumps(spec)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def loaded_child(spec: dict) -> dict:
    """The worker's case: the model loaded once, then each file costs only its transcription."""
    from transcribe.engines import engine_for

    config = TranscribeConfig()
    engine = engine_for(config)
    engine.transcribe(spec["audio"])  # loads the model: the worker does this once
    started = time.perf_counter()
    result = engine.transcribe(spec["audio"])
    return {"transcribe_s": time.perf_counter() - started, "text": result.text}


DIRECT_PROCESS = """
import json, sys
from faster_whisper import WhisperModel
spec = json.loads(sys.argv[1])
model = WhisperModel(spec["location"], device="cpu", compute_type="int8",
                     cpu_threads=spec["threads"])
segments, _ = model.transcribe(spec["audio"], **spec["options"])
print(" ".join(s.text for s in segments))
"""


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def command_cost(folder: Path, runs: int) -> None:
    """manage.py transcribe on a short file, against faster-whisper in a process, and the worker."""
    import statistics

    from transcribe.engines import engine_for
    from transcribe.weights import resolve_model

    audio = synth.speak(synth.ENGLISH[0], folder / "short.wav")
    seconds = len(decode_audio(audio)) / SAMPLE_RATE
    config = TranscribeConfig()
    engine = engine_for(config)
    spec = {
        "audio": str(audio),
        "location": resolve_model(config.model, cache_dir=config.cache_dir).location,
        "threads": config.threads,
        "options": engine.decode_options(None),
    }
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "ignore",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/db.sqlite3",
    }
    python = sys.executable
    command = statistics.median(
        wall([python, "manage.py", "transcribe", str(audio)], env) for _ in range(runs)
    )
    direct = statistics.median(
        wall([python, "-c", DIRECT_PROCESS, json.dumps(spec)], env) for _ in range(runs)
    )
    help_s = statistics.median(wall([python, "manage.py", "help"], env) for _ in range(runs))
    loaded = statistics.median(
        run_child({"audio": str(audio)}, kind="loaded")["transcribe_s"] for _ in range(runs)
    )
    print(
        f"\nA {seconds:.0f} s file, {config.model} {config.compute_type} beam {config.beam_size}, "
        f"median of {runs}, wall seconds:"
    )
    print(f"  manage.py transcribe (start, load, transcribe)   {command:6.2f}")
    print(f"  faster-whisper called directly, in a process      {direct:6.2f}")
    print(f"  the worker, model already loaded                  {loaded:6.2f}")
    print(f"  manage.py help (Django's start alone)             {help_s:6.2f}")
    print(
        f"  command / direct process = {command / direct:.2f}; "
        f"command / worker = {command / loaded:.1f}; "
        f"start-up and load are {(command - loaded) / command:.0%} of the command"
    )


def openai_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("whisper") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 35 s of speech")
    parser.add_argument("--repeat", type=int, default=1, help="runs per timing (best is kept)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--cache", default="", help="model cache (default: the user cache)")
    parser.add_argument("--openai-model", default="", help="e.g. tiny.en, to compare engines")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument(
        "--command", action="store_true", help="only the cost of manage.py transcribe"
    )
    parser.add_argument("--faster-child", help=argparse.SUPPRESS)
    parser.add_argument("--diarize", action="store_true", help="speaker turns only")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for the cost of turns")
    parser.add_argument("--loaded-child", help=argparse.SUPPRESS)
    parser.add_argument("--openai-child", help=argparse.SUPPRESS)
    parser.add_argument("--diarize-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.diarize_child:
        print(json.dumps(diarize_child(json.loads(args.diarize_child))))
        return
    if args.faster_child:
        print(json.dumps(child(json.loads(args.faster_child))))
        return
    if args.openai_child:
        print(json.dumps(openai_child(json.loads(args.openai_child))))
        return
    if args.loaded_child:
        print(json.dumps(loaded_child(json.loads(args.loaded_child))))
        return
    if args.command:
        with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as tmp:
            command_cost(Path(tmp), max(args.repeat, 3))
        return

    if args.diarize:
        with tempfile.TemporaryDirectory(prefix="bench-speakers-") as tmp:
            bench_speakers(Path(tmp), repeat=args.repeat, threads=args.threads)
        return

    with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as tmp:
        audio, reference = make_audio(Path(tmp), quick=args.quick)
        duration = len(decode_audio(audio)) / SAMPLE_RATE
        print(
            f"{duration:.0f} s of espeak-ng speech ({len(reference.split())} words), "
            f"{os.cpu_count()} CPU cores, one process per configuration, best of {args.repeat}."
        )
        print("RTF = seconds of audio per wall second (higher is faster); archive/direct = the")
        print("archive's engine (PyAV decoding, bounded decoding) against faster-whisper itself.\n")
        header = (
            f"{'model':8} {'compute':8} {'beam':>4} {'mode':10} {'load s':>6} {'RTF':>6} "
            f"{'direct':>7} {'archive/direct':>14} {'peak MB':>8} {'WER':>6}"
        )
        print(header)
        print("-" * len(header))
        rows = []
        models = [m for m in args.models.split(",") if m]
        for model, compute, beam, batch in itertools.product(models, COMPUTE, BEAMS, (0, BATCH)):
            spec = {
                "model": model,
                "compute_type": compute,
                "beam": beam,
                "batch": batch,
                "audio": str(audio),
                "reference": reference,
                "repeat": args.repeat,
                "cache": args.cache,
            }
            row = run_child(spec)
            rows.append(row)
            mode = f"batched {batch}" if batch else "sequential"
            print(
                f"{model:8} {compute:8} {beam:>4} {mode:10} {row['load_s']:>6.2f} "
                f"{row['duration'] / row['archive_s']:>6.1f} "
                f"{row['duration'] / row['direct_s']:>7.1f} "
                f"{row['archive_s'] / row['direct_s']:>14.2f} {row['peak_mb']:>8.0f} "
                f"{row['wer']:>6.1%}",
                flush=True,
            )
        if args.openai_model:
            print()
            if not openai_available():
                print(
                    "openai-whisper is not installed: pip install '.[openai-whisper]' to compare."
                )
            else:
                for beam in BEAMS:
                    spec = {
                        "model": args.openai_model,
                        "beam": beam,
                        "audio": str(audio),
                        "reference": reference,
                        "repeat": args.repeat,
                    }
                    theirs = run_child(spec, kind="openai")
                    ours = next(
                        (
                            r
                            for r in rows
                            if r["model"] == args.openai_model
                            and r["beam"] == beam
                            and r["batch"] == 0
                            and r["compute_type"] == "int8"
                        ),
                        None,
                    )
                    ratio = (
                        f", faster-whisper int8 is {theirs['archive_s'] / ours['archive_s']:.1f}x "
                        "as fast"
                        if ours
                        else ""
                    )
                    print(
                        f"openai-whisper {args.openai_model} beam {beam}: RTF "
                        f"{theirs['duration'] / theirs['archive_s']:.1f}, peak "
                        f"{theirs['peak_mb']:.0f} MB, WER {theirs['wer']:.1%}{ratio}"
                    )
        elif not openai_available():
            print("\nopenai-whisper: not installed, not compared (see --openai-model).")
        command_cost(Path(tmp), max(args.repeat, 3))
        if args.json:
            print(json.dumps(rows, indent=2))
        bench_speakers(Path(tmp), repeat=args.repeat, threads=args.threads)


if __name__ == "__main__":
    main()
