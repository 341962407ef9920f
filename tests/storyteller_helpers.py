"""Shared pieces for the storyteller-journey tests: real speech, tagged media, form data."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

from transcribe import synth

SPEECH = "My name is Sarah. When the library closed, we started a coffee morning in the hall."
PERSONAL_TAGS = {
    "title": "Recorded at 12 Acacia Avenue",
    "artist": "Sarah Jones",
    "comment": "GPS 51.5072 -0.1276",
    "location": "+51.5072-000.1276/",
}


def speech_wav(folder: Path, text: str = SPEECH, name: str = "speech.wav") -> Path:
    """Real speech from espeak-ng, as WAV."""
    return synth.speak(text, folder / name)


def tagged_mp3(folder: Path, text: str = SPEECH) -> Path:
    """Speech as MP3 carrying tags that name a person and a place (ffmpeg)."""
    wav = speech_wav(folder, text, "tagged-source.wav")
    out = folder / "tagged.mp3"
    cmd = [synth.require("ffmpeg"), "-loglevel", "error", "-y", "-i", str(wav)]
    for key, value in PERSONAL_TAGS.items():
        cmd += ["-metadata", f"{key}={value}"]
    subprocess.run([*cmd, str(out)], check=True, capture_output=True)
    return out


def container_tags(path: str | Path) -> dict[str, str]:
    import av

    with av.open(str(path)) as container:
        tags = dict(container.metadata)
        for stream in container.streams:
            tags.update(stream.metadata)
    return tags


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera and an orientation."""
    img = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 degrees
    gps = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


CONSENT_ALL = {
    "consent-archive": "on",
    "consent-researchers": "on",
    "consent-public": "on",
    "consent-quotes_allowed": "on",
    "consent-attribution": "named",
}


def story_form(**overrides) -> dict:
    """POST data for the "Tell a story" form: a written story agreeing to every use."""
    data = {
        "title": "The coffee morning",
        "kind": "text",
        "text_body": "We met every Tuesday in the church hall.",
        "summary": "",
        "language": "en",
        **CONSENT_ALL,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(browser) -> list[dict]:
    """axe-core's WCAG 2.2 AA (and best-practice) violations on the browser's current page."""
    if not AXE.exists():
        raise RuntimeError(
            "axe-core is not installed: run `npm ci` in the project folder (make test does this)."
        )
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0])"
        "  .then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        "     nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        "  .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        AXE_OPTIONS,
    )


def recording_awaiting_review(storyteller, folder: Path, text: str = SPEECH):
    """A story of real recorded speech, uploaded by its storyteller, ready for their review
    (its transcript is the caller's to add)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stories import services
    from stories.models import StoryStatus
    from storyteller import uploads

    wav = speech_wav(folder, text)
    session = uploads.upload_session_from_file(
        owner=storyteller, uploaded=SimpleUploadedFile("speech.wav", wav.read_bytes())
    )
    story = uploads.story_submit(
        uploaded_by=storyteller,
        storyteller=storyteller,
        title="The coffee morning",
        kind="recording",
        consent={"archive": True, "public": True, "attribution": "named"},
        upload=session,
    )
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    return story
