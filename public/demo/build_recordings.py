"""Rebuild the demo recordings and pictures in this folder (run once; the results are committed).

Each recording is espeak-ng speech, one sentence at a time, joined with short pauses, so the
caption timings are known exactly. Writes `<slug>.ogg` (Opus audio) or `<slug>.webm` (a still
video with Opus sound) and `<slug>.vtt` beside it. The collection pictures are simple
illustrations drawn with Pillow.

    python public/demo/build_recordings.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from transcribe.formats import to_vtt  # noqa: E402
from transcribe.synth import require  # noqa: E402

GAP = 0.45  # seconds of silence between sentences

RECORDINGS = {
    "the-bus-to-the-hospital": {
        "voice": "en-gb+f3",
        "speed": 145,
        "video": False,
        "sentences": [
            "When the bus route to the hospital was cut, my dad stopped going to his appointments.",
            "He would not ask anyone for a lift, because he did not want to be a bother.",
            "I trained as a community reporter, and we recorded what people on our estate said.",
            "The council listened to those recordings at a public meeting.",
            "Six months later the bus came back, and my dad goes every week again.",
        ],
    },
    "tuesday-coffee-mornings": {
        "voice": "en-gb-x-rp+m3",
        "speed": 140,
        "video": False,
        "sentences": [
            "After my wife died, the days were very long and very quiet.",
            "A neighbour knocked on my door and asked if I would help set out the chairs.",
            "Now I make the tea at the coffee morning in the church hall every Tuesday.",
            "Forty people come, and nobody there has to feel alone.",
        ],
    },
    "cooking-with-my-grandmother": {
        "voice": "en-gb-scotland+f2",
        "speed": 145,
        "video": True,
        "title": "Cooking with my grandmother",
        "sentences": [
            "Our youth group meets in the old school on Friday evenings.",
            "Last term we invited our grandparents to cook with us.",
            "My grandmother taught everyone her recipe for lentil soup.",
            "We wrote the recipes down together and made a little book.",
            "It felt like the first time anyone had asked what she knew.",
        ],
    },
}


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _duration(path: Path) -> float:
    out = subprocess.run(
        [require("soxi", "sox"), "-D", str(path)], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def _title(spec: dict) -> str:
    """A drawtext filter that writes the story's title on the still frame."""
    found = subprocess.run(
        [require("fc-match", "fontconfig"), "-f", "%{file}", "serif"],
        check=True,
        capture_output=True,
        text=True,
    )
    font = found.stdout.strip()
    text = spec["title"].replace("'", "")
    return (
        f"drawtext=fontfile={font}:text='{text}':fontcolor=0x5b3a1e:fontsize=18:"
        "x=(w-text_w)/2:y=(h-text_h)/2"
    )


def build(slug: str, spec: dict) -> None:
    sox, espeak, ffmpeg = require("sox"), require("espeak-ng"), require("ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        gap = tmpdir / "gap.wav"
        subprocess.run(
            [sox, "-n", "-r", "22050", "-c", "1", "-b", "16", str(gap), "trim", "0", str(GAP)],
            check=True,
        )
        parts: list[str] = [str(gap)]
        cues: list[Cue] = []
        at = GAP
        for number, sentence in enumerate(spec["sentences"]):
            wav = tmpdir / f"{number:02d}.wav"
            subprocess.run(
                [espeak, "-v", spec["voice"], "-s", str(spec["speed"]), "-w", str(wav), sentence],
                check=True,
            )
            length = _duration(wav)
            cues.append(Cue(round(at, 3), round(at + length, 3), sentence))
            at += length + GAP
            parts += [str(wav), str(gap)]
        joined = tmpdir / "joined.wav"
        subprocess.run([sox, *parts, str(joined), "gain", "-n", "-1", "rate", "16000"], check=True)
        audio = ["-c:a", "libopus", "-b:a", "14k", "-ac", "1", "-application", "voip"]
        if spec["video"]:
            target = HERE / f"{slug}.webm"
            subprocess.run(
                [
                    ffmpeg,
                    "-loglevel",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    f"color=c=0xf3e3cc:s=320x180:r=2,{_title(spec)}",
                    "-i",
                    str(joined),
                    "-t",
                    f"{at:.3f}",
                    "-map",
                    "0:v",
                    "-map",
                    "1:a",
                    "-c:v",
                    "libvpx-vp9",
                    "-b:v",
                    "8k",
                    "-pix_fmt",
                    "yuv420p",
                    *audio,
                    str(target),
                ],
                check=True,
            )
        else:
            target = HERE / f"{slug}.ogg"
            subprocess.run(
                [ffmpeg, "-loglevel", "error", "-y", "-i", str(joined), *audio, str(target)],
                check=True,
            )
    (HERE / f"{slug}.vtt").write_text(to_vtt(cues), encoding="utf-8")
    print(f"{target.name}: {at:.1f} s, {target.stat().st_size // 1024} KB, {len(cues)} cues")


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple):
    width, height = size
    image = Image.new("RGB", size)
    for y in range(height):
        t = y / (height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        image.paste(colour, (0, y, width, y + 1))
    return image


def draw_garden(path: Path) -> None:
    """Low hills and garden beds under a warm evening sun."""
    width, height = 1200, 750
    image = _gradient((width, height), (250, 214, 165), (251, 243, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((760, 110, 960, 310), fill=(233, 160, 96))
    draw.ellipse((-300, 380, 800, 900), fill=(164, 184, 142))
    draw.ellipse((450, 420, 1600, 980), fill=(122, 152, 116))
    draw.rectangle((0, 560, width, height), fill=(103, 135, 101))
    for row in range(5):
        top = 585 + row * 34
        draw.rounded_rectangle(
            (80 + row * 18, top, 1120 - row * 18, top + 20), 10, fill=(128, 86, 56)
        )
        for x in range(110 + row * 18, 1100 - row * 18, 46):
            draw.ellipse((x, top - 10, x + 22, top + 8), fill=(76, 122, 82))
    draw.polygon([(140, 560), (200, 505), (260, 560)], fill=(143, 59, 27))
    draw.rectangle((152, 560, 248, 600), fill=(234, 210, 176))
    image.save(path, "JPEG", quality=80, optimize=True, progressive=True)


def draw_voices(path: Path) -> None:
    """Overlapping speech bubbles: people being heard."""
    width, height = 1200, 750
    image = _gradient((width, height), (247, 236, 220), (236, 220, 198))
    draw = ImageDraw.Draw(image)
    bubbles = [
        ((150, 170, 560, 480), (143, 59, 27), (300, 470, 250, 560, 380, 475)),
        ((470, 250, 900, 580), (47, 93, 80), (760, 570, 830, 660, 680, 575)),
        ((760, 110, 1090, 360), (217, 168, 116), (900, 355, 960, 430, 1000, 340)),
    ]
    for box, colour, tail in bubbles:
        draw.ellipse(box, fill=colour)
        draw.polygon([tail[0:2], tail[2:4], tail[4:6]], fill=colour)
    for cx, cy in ((300, 325), (355, 325), (410, 325), (630, 415), (685, 415), (740, 415)):
        draw.ellipse((cx - 12, cy - 12, cx + 12, cy + 12), fill=(251, 247, 241))
    image.save(path, "JPEG", quality=80, optimize=True, progressive=True)


PICTURES = {"after-lockdown.jpg": draw_garden, "being-heard.jpg": draw_voices}


if __name__ == "__main__":
    for slug, spec in RECORDINGS.items():
        build(slug, spec)
    for name, draw in PICTURES.items():
        draw(HERE / name)
        print(f"{name}: {(HERE / name).stat().st_size // 1024} KB")
