"""Synthetic speech with known words, for the tests and the benchmark (espeak-ng, ffmpeg)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from transcribe.media import probe

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
