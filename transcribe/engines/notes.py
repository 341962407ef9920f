"""Notes a transcript carries when the recording or its language needs a reader's care.

Each note says what was found and what to do next, in the storyteller's words.
"""

from __future__ import annotations

from django.conf.locale import LANG_INFO

from stories.timecode import clock

# Below this the language detector is guessing between a few candidates.
SURE_LANGUAGE_PROBABILITY = 0.8
# Languages Whisper writes well: the large, well-resourced ones of its training data, where
# its published word error rates are low. Others (Welsh, Latin…) come out as invented words
# far more often, above all with the small models this archive runs by default.
WELL_SUPPORTED = frozenset(
    [
        "ar",
        "ca",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "es",
        "fi",
        "fr",
        "gl",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "ms",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sv",
        "th",
        "tr",
        "uk",
        "vi",
        "zh",
    ]
)
# Decoded sound this much shorter than the header says means the file was cut off.
TRUNCATED_SECONDS = 1.0
TRUNCATED_SHARE = 0.05


def language_name(code: str) -> str:
    info = LANG_INFO.get(code)
    return str(info["name"]) if info and "name" in info else f"'{code}'"


def language_notes(
    *, language: str, probability: float, asked: str | None, multilingual: bool, model: str
) -> list[str]:
    """What the reader should know about the language the transcript was written in."""
    name = language_name(language)
    if asked:
        if language in WELL_SUPPORTED or not multilingual:
            return []
        return [
            f"Whisper writes {name} less well than the languages it knows best, so expect more "
            "mistakes than usual: check every line against the recording."
        ]
    notes = []
    if probability < SURE_LANGUAGE_PROBABILITY:
        notes.append(
            f"The language was hard to tell: it sounded like {name}, but only "
            f"{probability:.0%} sure. If the story is told in another language, choose that "
            "language and transcribe it again."
        )
    if language not in WELL_SUPPORTED and multilingual:
        notes.append(
            f"It was heard as {name}, which Whisper writes poorly (the model {model!r} may "
            "invent words). If that is the right language, check every line; if not, choose "
            "the language the story is told in and transcribe it again."
        )
    return notes


def truncation_note(*, declared: float | None, decoded: float) -> str | None:
    """A note when the file says it is longer than the sound that could be decoded from it."""
    if not declared or declared - decoded < max(TRUNCATED_SECONDS, TRUNCATED_SHARE * declared):
        return None
    return (
        f"The file seems cut short: it says it lasts {clock(declared)}, but sound could be "
        f"read only up to {clock(decoded)}, so the transcript ends there. If you have the "
        "whole recording, upload it again."
    )
