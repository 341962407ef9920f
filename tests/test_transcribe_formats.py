"""Transcript files: writers round-trip through the parsers; malformed files name their bad line."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcribe.engines import Segment, TranscriptionResult, Word
from transcribe.errors import TranscriptFormatError
from transcribe.formats import (
    cues_to_segments,
    detect_format,
    parse,
    parse_srt,
    parse_text,
    parse_vtt,
    render,
    to_srt,
    to_text,
    to_vtt,
)

SEGMENTS = [
    Segment(0.0, 2.5, "My name is Sarah.", 0.91, (Word(0.0, 0.4, "My", 0.9),)),
    Segment(2.5, 61.25, "Fish & chips <on> Fridays --> always.", 0.8),
    Segment(3601.0, 3605.123, "An hour in.", None),
]


def test_webvtt_has_the_header_and_one_cue_per_segment():
    vtt = to_vtt(SEGMENTS)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nMy name is Sarah.\n")
    assert (
        "00:00:02.500 --> 00:01:01.250\nFish &amp; chips &lt;on&gt; Fridays --&gt; always." in vtt
    )
    assert "01:00:01.000 --> 01:00:05.123" in vtt


def test_srt_numbers_cues_and_uses_commas():
    srt = to_srt(SEGMENTS)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,500\nMy name is Sarah.\n\n2\n")
    assert "3\n01:00:01,000 --> 01:00:05,123\nAn hour in.\n" in srt


def test_zero_length_segments_still_end_after_they_start():
    vtt = to_vtt([Segment(1.0, 1.0, "Hm.")])
    assert "00:00:01.000 --> 00:00:01.001" in vtt


def test_json_keeps_confidence_words_and_metadata():
    result = TranscriptionResult(tuple(SEGMENTS), "en", 0.99, 3605.2, "faster-whisper", "tiny.en")
    data = json.loads(render("json", result))
    assert data["language"] == "en" and data["model"] == "tiny.en"
    assert data["segments"][0]["words"][0] == {
        "start": 0.0,
        "end": 0.4,
        "text": "My",
        "probability": 0.9,
    }
    assert TranscriptionResult.from_dict(data) == result


@pytest.mark.parametrize("fmt", ["vtt", "srt", "json"])
def test_timed_formats_round_trip(fmt):
    cues = parse(fmt, render(fmt, SEGMENTS))
    assert [(c.start, c.end, c.text) for c in cues] == [(s.start, s.end, s.text) for s in SEGMENTS]


def test_plain_text_round_trips_with_and_without_times():
    assert [c.text for c in parse_text(to_text(SEGMENTS))] == [s.text for s in SEGMENTS]
    timed = parse_text(to_text(SEGMENTS, timestamps=True))
    assert [(c.start, c.end) for c in timed] == [(s.start, s.end) for s in SEGMENTS]


times = st.lists(st.integers(min_value=0, max_value=20_000_000), min_size=1, max_size=12)
words = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\u2028\u2029"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())


@given(marks=times, texts=st.lists(words, min_size=12, max_size=12))
def test_any_transcript_round_trips_through_webvtt_and_srt(marks, texts):
    marks = sorted(marks)
    segments = [
        Segment(ms / 1000, (ms + 1 + i) / 1000, text)
        for i, (ms, text) in enumerate(zip(marks, texts[: len(marks)], strict=True))
    ]
    expected = [(s.start, s.end, " ".join(s.text.split())) for s in segments]
    for writer, parser in ((to_vtt, parse_vtt), (to_srt, parse_srt)):
        cues = parser(writer(segments))
        assert [(c.start, c.end, c.text) for c in cues] == expected


def test_webvtt_reader_skips_notes_styles_ids_and_markup():
    vtt = (
        "\ufeffWEBVTT - interview\nKind: captions\n\n"
        "NOTE recorded at the hall\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "intro\n00:01.000 --> 00:04.000 align:start\n"
        "<v Sarah>Hello <i>there</i> &amp; welcome\nto the hall\n\n"
        "01:02:03.500 --> 01:02:04.000\n<00:00:01.000>Later\n"
    )
    cues = parse_vtt(vtt)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 4.0, "Hello there & welcome to the hall"),
        (3723.5, 3724.0, "Later"),
    ]


def test_srt_reader_accepts_crlf_tags_and_a_byte_order_mark():
    srt = (
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>Hi</i> {\\an8}there\r\n\r\n"
        "2\r\n00:00:02,500 --> 00:00:03,000\r\nBye\r\n"
    )
    assert [(c.start, c.end, c.text) for c in parse_srt(srt.encode())] == [
        (1.0, 2.0, "Hi there"),
        (2.5, 3.0, "Bye"),
    ]


def line_of(excinfo) -> int:
    assert re.match(r"^Line \d+: ", str(excinfo.value))
    return excinfo.value.line


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("00:00.000 --> 00:01.000\nHi\n", 1, "WEBVTT"),
        ("WEBVTT\n00:00.000 --> 00:01.000\nHi\n", 2, "blank line"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n\n00:01.000 -> 00:02.000\nBye\n", 6, "timing"),
        ("WEBVTT\n\nid\nHello there\n", 4, "timing"),
        ("WEBVTT\n\n00:00.000 --> 00:01.00\nHi\n", 3, "not a WebVTT time"),
        ("WEBVTT\n\n00:00:61.000 --> 00:01:00.000\nHi\n", 3, "00 to 59"),
        ("WEBVTT\n\n00:05.000 --> 00:01.000\nHi\n", 3, "ends"),
        ("WEBVTT\n\n00:05.000 --> 00:06.000\nA\n\n00:01.000 --> 00:02.000\nB\n", 6, "time order"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n00:02.000 --> 00:03.000\nB\n", 5, "blank line"),
        ("WEBVTT\n\nNOTE nothing here\n", 3, "no captions"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\x00B\n", 4, "control character"),
    ],
)
def test_malformed_webvtt_is_refused_with_its_line(text, line, words):
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_vtt(text)
    assert line_of(excinfo) == line
    assert words in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("00:00:01,000 --> 00:00:02,000\nHi\n", 1, "cue number is missing"),
        ("1\n00:00:01 --> 00:00:02,000\nHi\n", 2, "not an SRT time"),
        ("1\nHello\n", 2, "timing line"),
        ("1\n", 2, "timing line"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nA\n\nx\n00:00:03,000 --> 00:00:04,000\nB\n",
            5,
            "cue number",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
            5,
            "blank line",
        ),
        ("1\n00:00:03,000 --> 00:00:02,000\nA\n", 2, "ends"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:00,500 --> 00:00:02,000\nB\n",
            6,
            "time order",
        ),
        ("\n\n", 2, "no subtitles"),
    ],
)
def test_malformed_srt_is_refused_with_its_line(text, line, words):
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_srt(text)
    assert line_of(excinfo) == line
    assert words in str(excinfo.value)


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"first line\n[00:01] second\n", 2, "every line a time, or none"),
        (b"[00:01] one\n[00:75] two\n", 2, "0 to 59"),
        (b"[00:05] one\n[00:01] two\n", 2, "time order"),
        (b"[00:01]\n", 1, "followed by text"),
        (b"ok\nok\n\xff\xfe broken\n", 3, "not UTF-8"),
        (b"  \n\n", 2, "no text"),
    ],
)
def test_malformed_plain_text_is_refused_with_its_line(data, line, words):
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_text(data)
    assert line_of(excinfo) == line
    assert words in str(excinfo.value)


def test_untimed_text_is_spread_over_the_recording_by_length():
    cues = parse_text("Short.\nA line twice as long.\n")
    segments = cues_to_segments(cues, duration=27.0)
    assert segments[0].start == 0 and segments[-1].end == pytest.approx(27.0)
    assert segments[0].end == segments[1].start
    assert (segments[1].end - segments[1].start) > (segments[0].end - segments[0].start)


def test_cues_with_only_a_start_end_where_the_next_begins():
    segments = cues_to_segments(parse_text("[00:01] one\n[00:04.5] two\n"), duration=10)
    assert [(s.start, s.end) for s in segments] == [(1.0, 4.5), (4.5, 10.0)]


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("talk.vtt", b"", "vtt"),
        ("talk.SRT", b"", "srt"),
        ("upload", b"WEBVTT\n\n", "vtt"),
        ("upload", b"1\n00:00:01,000 --> 00:00:02,000\nHi", "srt"),
        ("notes.md", b"Just words", "txt"),
    ],
)
def test_format_is_told_by_suffix_or_content(name, data, fmt):
    assert detect_format(name, data) == fmt
