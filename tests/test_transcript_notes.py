"""The notes a transcript carries: language doubts, files cut short, no speech found."""

from __future__ import annotations

from transcribe.engines.base import SegmentCollector
from transcribe.engines.notes import language_notes, truncation_note


def notes(**kwargs) -> list[str]:
    defaults = {"probability": 1.0, "asked": None, "multilingual": True, "model": "base"}
    return language_notes(**{**defaults, **kwargs})


def test_a_sure_detection_of_a_well_supported_language_needs_no_note():
    assert notes(language="es", probability=0.97) == []


def test_an_unsure_detection_says_so_and_what_to_do():
    (note,) = notes(language="en", probability=0.57)
    assert "57% sure" in note and "English" in note
    assert "choose that language and transcribe it again" in note


def test_a_language_whisper_writes_poorly_is_named_with_the_way_out():
    found = notes(language="la", probability=0.57)
    assert len(found) == 2  # unsure, and a language it writes poorly
    assert "'la'" in found[1] and "invent words" in found[1]
    assert "transcribe it again" in found[1]


def test_asking_for_a_poorly_supported_language_warns_of_more_mistakes():
    (note,) = notes(language="cy", asked="cy")
    assert "Welsh" in note and "check every line" in note
    assert notes(language="es", asked="es") == []


def test_an_english_only_model_leaves_the_language_note_to_the_engine():
    assert notes(language="cy", asked="cy", multilingual=False) == []


def test_a_file_shorter_than_its_header_is_cut_short():
    note = truncation_note(declared=7.3, decoded=3.6)
    assert note is not None and "0:07" in note and "0:03" in note
    assert "upload it again" in note


def test_a_whole_file_or_one_without_a_header_has_no_truncation_note():
    assert truncation_note(declared=7.3, decoded=7.26) is None
    assert truncation_note(declared=600.0, decoded=599.2) is None  # encoder padding
    assert truncation_note(declared=None, decoded=3.0) is None


def test_no_speech_found_is_said_plainly_with_what_to_do():
    collector = SegmentCollector(duration=60.0)
    result = collector.result(language="en", language_probability=1.0, engine="e", model="m")
    assert result.segments == () and result.complete
    assert "No speech was found" in result.note and "right file" in result.note
