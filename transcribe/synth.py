"""Synthetic speech with known words, for the tests and the benchmark (espeak-ng, ffmpeg)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transcribe.media import SAMPLE_RATE, decode_audio, probe

# Short first-person passages in the archive's spirit; their words are the reference text.
ENGLISH = (
    "My name is Sarah and I have lived in this town for twenty years. When the library "
    "closed, many older people lost a place to meet. We started a weekly coffee morning in "
    "the church hall. Now more than forty people come every Tuesday, and nobody has to feel "
    "alone.",
    "During the lockdown I was shielding at home with my mother. The hardest part was not "
    "knowing when it would end. A neighbour left bread and milk on our doorstep every "
    "morning, and that small kindness kept us going.",
    "I trained as a community reporter last spring. I learned to ask open questions and to "
    "listen without rushing people. The stories we recorded were shown to the council, and "
    "the bus route to the hospital was brought back.",
    "Our group meets in the old school on Friday evenings. Young people and their "
    "grandparents cook together and share recipes from home. It has become a place where "
    "everyone feels welcome and heard.",
)
SPANISH = (
    "Me llamo Lucía y vivo en este barrio desde hace quince años. Cuando cerraron el centro "
    "de salud, muchas familias tuvieron que viajar lejos para ver a un médico. Nos "
    "organizamos para compartir el coche y acompañar a los vecinos mayores."
)

VOICES = {"en": "en-us", "es": "es"}


def require(tool: str, package: str | None = None) -> str:
    """The tool's path, or an error that says how to install it."""
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(
            f"{tool} is not installed: apt-get install {package or tool} (make test does this)."
        )
    return path


def speak(text: str, path: str | Path, *, language: str = "en", speed: int = 150) -> Path:
    """Write ``text`` spoken by espeak-ng as a WAV file at ``path``."""
    voice = VOICES.get(language, language)
    subprocess.run(
        [require("espeak-ng"), "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return Path(path)


def convert(src: str | Path, dst: str | Path, *args: str) -> Path:
    """Re-encode ``src`` as ``dst`` with ffmpeg; the format follows ``dst``'s suffix.

    ``.mp4``/``.mov``/``.webm`` get a small still video track beside the sound.
    """
    ffmpeg = require("ffmpeg")
    dst = Path(dst)
    video = {".mp4": "libx264", ".mov": "libx264", ".webm": "libvpx"}.get(dst.suffix.lower())
    audio = {".webm": "libopus", ".ogg": "libvorbis", ".opus": "libopus"}.get(dst.suffix.lower())
    cmd = [ffmpeg, "-loglevel", "error", "-y"]
    if video:
        seconds = probe(src).duration
        cmd += ["-f", "lavfi", "-i", f"color=c=gray:s=64x48:r=5:d={seconds:.3f}", "-i", str(src)]
        cmd += ["-map", "0:v", "-map", "1:a", "-c:v", video, "-pix_fmt", "yuv420p"]
    else:
        cmd += ["-i", str(src)]
    if audio:
        cmd += ["-c:a", audio]
    subprocess.run([*cmd, *args, str(dst)], check=True, capture_output=True)
    return dst


def concatenate(paths: list[Path], dst: str | Path, *, gap: float = 0.6) -> Path:
    """Join WAV files with ``gap`` seconds of silence between them (sox)."""
    sox = require("sox")
    with tempfile.TemporaryDirectory() as tmp:
        silence = Path(tmp) / "gap.wav"
        subprocess.run(
            [sox, "-n", "-r", "22050", "-c", "1", "-b", "16", str(silence), "trim", "0", str(gap)],
            check=True,
            capture_output=True,
        )
        parts: list[str] = []
        for path in paths:
            parts += [str(path), str(silence)]
        subprocess.run([sox, *parts[:-1], str(dst)], check=True, capture_output=True)
    return Path(dst)


# ------------------------------------------------------------------------------ interviews
# Voices that sound apart (espeak-ng variant, pitch 0 to 99, words a minute), for interviews with
# known turns: the diarization test and the benchmark measure the speakers found against them.
INTERVIEW_VOICES = (
    ("en-us", 35, 150),
    ("en+f3", 70, 165),
    ("en-us+klatt", 50, 145),
)
QUIET = 1e-3  # below this amplitude a sample counts as espeak-ng's own leading/trailing silence


@dataclass(frozen=True)
class SpokenTurn:
    start: float  # seconds
    end: float
    label: str  # "S1", "S2"… by voice, in order of first appearance
    text: str


def voice_samples(text: str, voice: tuple[str, int, int]) -> np.ndarray:
    """``text`` spoken in ``voice`` as 16 kHz float32 samples, silence at either end trimmed."""
    name, pitch, speed = voice
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "turn.wav"
        command = [require("espeak-ng"), "-v", name, "-p", str(pitch), "-s", str(speed)]
        subprocess.run(
            [*command, "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        samples = decode_audio(path)
    loud = np.flatnonzero(np.abs(samples) > QUIET)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def interview(
    turns: list[tuple[int, str, float]],
    *,
    voices: tuple[tuple[str, int, int], ...] = INTERVIEW_VOICES,
) -> tuple[np.ndarray, list[SpokenTurn]]:
    """An interview of (voice index, text, pause before it in seconds) turns, and its truth."""
    pieces: list[np.ndarray] = []
    truth: list[SpokenTurn] = []
    labels: dict[int, str] = {}
    at = 0
    for voice, text, pause in turns:
        gap = round(pause * SAMPLE_RATE)
        speech = voice_samples(text, voices[voice])
        pieces += [np.zeros(gap, dtype=np.float32), speech]
        at += gap
        label = labels.setdefault(voice, f"S{len(labels) + 1}")
        truth.append(SpokenTurn(at / SAMPLE_RATE, (at + len(speech)) / SAMPLE_RATE, label, text))
        at += len(speech)
    pieces.append(np.zeros(SAMPLE_RATE // 2, dtype=np.float32))
    return np.concatenate(pieces), truth


def write_wav(samples: np.ndarray, path: str | Path) -> Path:
    """16 kHz mono 16-bit WAV of float samples."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return Path(path)


def _sentences() -> list[str]:
    return [s.strip() + "." for passage in ENGLISH for s in passage.split(".") if s.strip()]


# Interviews with known turns: pauses of varied length, and a turn that follows with no pause.
TWO_VOICES: list[tuple[int, str, float]] = [
    (0, "Thank you for coming in today. Could you tell me how the coffee morning started?", 0.3),
    (1, _sentences()[0] + " " + _sentences()[1], 0.8),
    (0, "And who comes along now?", 1.5),
    (1, _sentences()[2] + " " + _sentences()[3], 0.0),
    (0, "What happened during the lockdown?", 0.6),
    (1, _sentences()[4] + " " + _sentences()[5], 2.0),
    (0, "That sounds hard. Thank you for sharing it with us.", 0.4),
]
THREE_VOICES: list[tuple[int, str, float]] = [
    (0, "Welcome to both of you. Let us start with the reporting course.", 0.3),
    (1, _sentences()[7] + " " + _sentences()[8], 0.7),
    (2, "I took the same course, and I remember the first interview I did.", 1.2),
    (0, "What changed because of the stories you recorded?", 0.5),
    (1, _sentences()[9], 0.0),
    (2, _sentences()[10] + " " + _sentences()[11], 0.9),
    (0, "Thank you both very much.", 1.6),
]


def long_interview(seconds: float = 90.0) -> list[tuple[int, str, float]]:
    """A two-voice interview of about ``seconds``: questions, and the passages as answers."""
    turns: list[tuple[int, str, float]] = []
    sentences = _sentences()
    pauses = (0.4, 0.9, 0.0, 1.4, 0.6)
    spoken, i = 0.0, 0
    while spoken < seconds:
        answer = " ".join(sentences[(2 * i) % len(sentences) : (2 * i) % len(sentences) + 2])
        turns += [(0, "Could you tell me more about that?", 0.5), (1, answer, pauses[i % 5])]
        spoken += 2.5 + 0.45 * len(answer.split()) + 1.0  # a rough guess; espeak-ng is faster
        i += 1
    return turns
