"""Transcript files: WebVTT, SRT, plain text and JSON out; WebVTT, SRT, plain text and JSON in.

Writers take any segments with ``start``, ``end`` and ``text`` (the engine's dataclasses or the
database rows), and an optional ``speaker_name``: the name the reader may see (decided by
`stories.visibility.speaker_name`). WebVTT carries it as a voice span (``<v Name>``); SRT and
plain text start the line with ``Name:`` (they have no place of their own for it); JSON has a
``speaker`` field. Parsers are strict: a malformed file raises ``TranscriptFormatError`` naming the
line that is wrong and what is wrong with it, so nothing half-imported reaches a story.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from transcribe.errors import TranscriptFormatError

__all__ = [
    "FORMATS",
    "Cue",
    "TranscriptFormatError",
    "cues_to_segments",
    "decode_text",
    "detect_format",
    "parse",
    "parse_json",
    "parse_srt",
    "parse_text",
    "parse_vtt",
    "render",
    "to_json",
    "to_srt",
    "to_text",
    "to_vtt",
]


class SegmentLike(Protocol):
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Cue:
    """One parsed block of an imported transcript; times are None where the file had none."""

    start: float | None
    end: float | None
    text: str
    line: int  # where the block starts in the file, for messages


# ---------------------------------------------------------------------------------- writing


def _ms(seconds: float) -> int:
    return max(0, round(float(seconds) * 1000))


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _times(segment: SegmentLike) -> tuple[int, int]:
    start = _ms(segment.start)
    return start, max(_ms(segment.end), start + 1)  # a cue must end after it starts


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _speaker(segment: Any) -> str:
    return _one_line(getattr(segment, "speaker_name", "") or "")


def _said(segment: Any, text: str) -> str:
    """``Name: text`` for the formats with no place of their own for a speaker."""
    name = _speaker(segment)
    return f"{name}: {text}" if name else text


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(segments: Iterable[SegmentLike]) -> str:
    """WebVTT captions (one cue per segment, in order)."""
    out = ["WEBVTT", ""]
    for segment in segments:
        text = _one_line(segment.text)
        if not text:
            continue
        start, end = _times(segment)
        escaped = _vtt_escape(text)
        if name := _speaker(segment):
            escaped = f"<v {_vtt_escape(name)}>{escaped}</v>"
        out += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", escaped, ""]
    return "\n".join(out)


def to_srt(segments: Iterable[SegmentLike]) -> str:
    """SubRip subtitles, numbered from 1."""
    out: list[str] = []
    number = 0
    for segment in segments:
        text = _one_line(segment.text)
        if not text:
            continue
        number += 1
        start, end = _times(segment)
        out += [
            str(number),
            f"{_stamp(start, ',')} --> {_stamp(end, ',')}",
            _said(segment, text),
            "",
        ]
    return "\n".join(out)


def to_text(segments: Iterable[SegmentLike], *, timestamps: bool = False) -> str:
    """Plain text, a segment per line; with ``timestamps``, each line starts ``[start --> end]``."""
    lines = []
    for segment in segments:
        text = _one_line(segment.text)
        if not text:
            continue
        text = _said(segment, text)
        if timestamps:
            start, end = _times(segment)
            text = f"[{_stamp(start, '.')} --> {_stamp(end, '.')}] {text}"
        lines.append(text)
    return "\n".join(lines) + ("\n" if lines else "")


def to_json(segments: Iterable[SegmentLike] | Any, **meta: Any) -> str:
    """JSON: ``meta`` (language, engine, model…) and the segments with their confidence and words.

    Given an engine's ``TranscriptionResult``, all its fields are written.
    """
    if hasattr(segments, "to_dict") and hasattr(segments, "segments"):
        return json.dumps({**segments.to_dict(), **meta}, ensure_ascii=False, indent=2)
    rows = []
    for s in segments:
        words = getattr(s, "words", None) or []
        rows.append(
            {
                "start": round(float(s.start), 3),
                "end": round(float(s.end), 3),
                "text": _one_line(s.text),
                "speaker": _speaker(s) or None,
                "confidence": getattr(s, "confidence", None),
                "words": [w if isinstance(w, dict) else _word_dict(w) for w in words],
            }
        )
    return json.dumps({**meta, "segments": rows}, ensure_ascii=False, indent=2)


def _word_dict(word: Any) -> dict[str, Any]:
    return {
        "start": word.start,
        "end": word.end,
        "text": word.text,
        "probability": word.probability,
    }


FORMATS: dict[str, tuple[Callable[..., str], str, str]] = {
    # name: (writer, file suffix, content type)
    "vtt": (to_vtt, "vtt", "text/vtt; charset=utf-8"),
    "srt": (to_srt, "srt", "application/x-subrip; charset=utf-8"),
    "txt": (to_text, "txt", "text/plain; charset=utf-8"),
    "json": (to_json, "json", "application/json"),
}


def render(fmt: str, segments: Iterable[SegmentLike] | Any, **meta: Any) -> str:
    """Write ``segments`` in ``fmt`` (vtt, srt, txt or json)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown transcript format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if fmt == "json":
        return to_json(segments, **meta)
    items = segments.segments if hasattr(segments, "segments") else segments
    return FORMATS[fmt][0](items)


# ---------------------------------------------------------------------------------- reading

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_SRT_TAG = re.compile(r"</?(?:b|i|u|s|font)(?:\s[^>]*)?>", re.IGNORECASE)
_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$")
_VTT_TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+.*)?$")
_SRT_TIME = re.compile(r"^(\d{1,}):(\d{2}):(\d{2})[,.](\d{3})$")
_SRT_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_SRT_TIMING_START = re.compile(r"^\s*\d+:\d{2}:\d{2}[,.]\d{3}\s*-->")
_TEXT_PREFIX = re.compile(r"^\[([^\]]*)\]\s*(.*)$")
_TEXT_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def decode_text(data: bytes | str) -> str:
    """Bytes of an uploaded transcript as text (UTF-8, or UTF-16 with its byte order mark)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptFormatError(
            line,
            "the file is not UTF-8 text; save it as UTF-8 (or upload it as .txt, .vtt "
            "or .srt from the app that made it) and try again",
        ) from None


def _lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(decode_text(text))
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the line break that ends the last line does not start another
    for number, line in enumerate(lines, 1):
        if _CONTROL.search(line):
            raise TranscriptFormatError(
                number, "contains a control character: this does not look like a text file"
            )
    return lines


def _blocks(lines: Sequence[str], first: int = 0) -> Iterable[tuple[int, list[str]]]:
    """(index of first line, lines) for runs of non-blank lines."""
    block: list[str] = []
    start = first
    for index in range(first, len(lines)):
        if lines[index].strip():
            if not block:
                start = index
            block.append(lines[index])
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _check_order(cues: list[Cue], start: float, end: float, line: int) -> None:
    if end < start:
        raise TranscriptFormatError(
            line, f"the cue ends ({end:.3f}s) before it starts ({start:.3f}s)"
        )
    if cues and cues[-1].start is not None and start < cues[-1].start:
        raise TranscriptFormatError(
            line,
            f"the cue starts at {start:.3f}s, before the previous cue ({cues[-1].start:.3f}s): "
            "cues must be in time order",
        )


def _clean_vtt(lines: Sequence[str]) -> str:
    """Cue text without its tags (voice, class, timestamps…) and with entities decoded."""
    text = " ".join(_TAG.sub("", line) for line in lines)
    return " ".join(html.unescape(text).split())


def _clean_srt(lines: Sequence[str]) -> str:
    """Subtitle text without the formatting SRT players know (<i>, <font…>, {\\an8})."""
    text = " ".join(_ASS_TAG.sub("", _SRT_TAG.sub("", line)) for line in lines)
    return " ".join(text.split())


def _vtt_time(raw: str, line: int) -> float:
    match = _VTT_TIME.match(raw)
    if not match:
        raise TranscriptFormatError(
            line, f"{raw!r} is not a WebVTT time: write hh:mm:ss.ttt or mm:ss.ttt (e.g. 01:02.500)"
        )
    h, m, s, ms = match.groups()
    if int(m) > 59 or int(s) > 59:
        raise TranscriptFormatError(line, f"{raw!r}: minutes and seconds must be 00 to 59")
    return (int(h or 0) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms)) / 1000


def parse_vtt(text: str | bytes) -> list[Cue]:
    """WebVTT cues, following the W3C format; NOTE, STYLE and REGION blocks are skipped."""
    lines = _lines(decode_text(text))
    header = lines[0] if lines else ""
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise TranscriptFormatError(1, "a WebVTT file must start with the line 'WEBVTT'")
    # The header runs to the first blank line.
    body = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    for index in range(1, body):
        if "-->" in lines[index]:
            raise TranscriptFormatError(
                index + 1, "a blank line must separate the 'WEBVTT' line from the first cue"
            )
    cues: list[Cue] = []
    for index, block in _blocks(lines, body):
        first = block[0].strip()
        if re.match(r"^(NOTE|STYLE|REGION)([ \t]|$)", first):
            continue
        timing_at = 0 if "-->" in first else 1
        if timing_at and re.match(r"^\d+:\d{2}[:.]", first):
            raise TranscriptFormatError(
                index + 1, "the timing line must read 'start --> end', with spaces around '-->'"
            )
        line_no = index + timing_at + 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise TranscriptFormatError(
                line_no if timing_at < len(block) else index + 1,
                "expected a cue timing line such as '00:00:01.000 --> 00:00:04.000'",
            )
        match = _VTT_TIMING.match(block[timing_at].strip())
        if not match:
            raise TranscriptFormatError(
                line_no, "the timing line must read 'start --> end', with spaces around '-->'"
            )
        start = _vtt_time(match.group(1), line_no)
        end = _vtt_time(match.group(2), line_no)
        payload = block[timing_at + 1 :]
        for offset, line in enumerate(payload):
            if "-->" in line:
                raise TranscriptFormatError(
                    line_no + 1 + offset,
                    "cue text cannot contain '-->': is a blank line missing before this cue?",
                )
        _check_order(cues, start, end, line_no)
        words = _clean_vtt(payload)
        if words:
            cues.append(Cue(start, end, words, line_no))
    if not cues:
        raise TranscriptFormatError(len(lines), "the file holds no captions with text")
    return cues


def _srt_time(raw: str, line: int) -> float:
    match = _SRT_TIME.match(raw)
    if not match:
        raise TranscriptFormatError(
            line, f"{raw!r} is not an SRT time: write hh:mm:ss,ttt (e.g. 00:01:02,500)"
        )
    h, m, s, ms = (int(g) for g in match.groups())
    if m > 59 or s > 59:
        raise TranscriptFormatError(line, f"{raw!r}: minutes and seconds must be 00 to 59")
    return (h * 3_600_000 + m * 60_000 + s * 1000 + ms) / 1000


def parse_srt(text: str | bytes) -> list[Cue]:
    """SubRip cues: a number, a timing line, then text, with blank lines between cues."""
    lines = _lines(decode_text(text))
    cues: list[Cue] = []
    for index, block in _blocks(lines):
        number = block[0].strip()
        if not number.isdigit():
            hint = " (a cue number is missing)" if "-->" in number else ""
            raise TranscriptFormatError(
                index + 1, f"expected the cue number, found {number[:40]!r}{hint}"
            )
        if len(block) < 2:
            raise TranscriptFormatError(
                index + 2, "expected a timing line such as '00:00:01,000 --> 00:00:04,000'"
            )
        match = _SRT_TIMING.match(block[1])
        if not match:
            raise TranscriptFormatError(
                index + 2, "expected a timing line such as '00:00:01,000 --> 00:00:04,000'"
            )
        start = _srt_time(match.group(1), index + 2)
        end = _srt_time(match.group(2), index + 2)
        payload = block[2:]
        for offset, line in enumerate(payload):
            if _SRT_TIMING_START.match(line):
                raise TranscriptFormatError(
                    index + 3 + offset,
                    "a timing line inside a subtitle's text: is a blank line missing before it?",
                )
        _check_order(cues, start, end, index + 2)
        words = _clean_srt(payload)
        if words:
            cues.append(Cue(start, end, words, index + 1))
    if not cues:
        raise TranscriptFormatError(max(1, len(lines)), "the file holds no subtitles with text")
    return cues


def _text_time(raw: str, line: int) -> float:
    match = _TEXT_TIME.match(raw.strip())
    if not match:
        raise TranscriptFormatError(
            line, f"{raw.strip()!r} is not a time: write [mm:ss] or [hh:mm:ss.ttt]"
        )
    h, m, s, frac = match.groups()
    if int(m) > 59 or int(s) > 59:
        raise TranscriptFormatError(line, f"{raw.strip()!r}: minutes and seconds must be 0 to 59")
    millis = int(frac.ljust(3, "0")) if frac else 0
    return (int(h or 0) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + millis) / 1000


def parse_text(text: str | bytes) -> list[Cue]:
    """Plain text, a segment per non-blank line.

    A line may start with ``[start]`` or ``[start --> end]``; then every line must, in time order.
    Lines without times get them later from ``cues_to_segments``.
    """
    lines = _lines(decode_text(text))
    cues: list[Cue] = []
    timed: bool | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        match = _TEXT_PREFIX.match(line)
        has_time = bool(match and re.fullmatch(r"[\d:.,\s\->]+", match.group(1)))
        if timed is None:
            timed = has_time
        elif has_time != timed:
            raise TranscriptFormatError(
                number,
                "some lines start with a [time] and others do not: give every line a time, or none",
            )
        if not has_time:
            cues.append(Cue(None, None, " ".join(line.split()), number))
            continue
        assert match is not None
        stamp, words = match.group(1), " ".join(match.group(2).split())
        if "-->" in stamp:
            first, _, second = stamp.partition("-->")
            start, end = _text_time(first, number), _text_time(second, number)
        else:
            start, end = _text_time(stamp, number), None
        _check_order(cues, start, end if end is not None else start, number)
        if not words:
            raise TranscriptFormatError(number, "a [time] must be followed by text")
        cues.append(Cue(start, end, words, number))
    if not cues:
        raise TranscriptFormatError(max(1, len(lines)), "the file holds no text")
    return cues


def parse_json(text: str | bytes) -> list[Cue]:
    """The JSON this module writes (``{"segments": [{"start", "end", "text"}, …]}``)."""
    try:
        data = json.loads(decode_text(text))
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(exc.lineno, f"not valid JSON: {exc.msg}") from None
    rows = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise TranscriptFormatError(1, "expected an object with a 'segments' list")
    cues: list[Cue] = []
    for number, row in enumerate(rows, 1):
        try:
            start, end, words = float(row["start"]), float(row["end"]), str(row["text"])
        except (KeyError, TypeError, ValueError):
            raise TranscriptFormatError(
                1, f"segment {number} needs numeric 'start' and 'end' and a 'text'"
            ) from None
        _check_order(cues, start, end, 1)
        if words.strip():
            cues.append(Cue(start, end, " ".join(words.split()), number))
    return cues


PARSERS: dict[str, Callable[[str | bytes], list[Cue]]] = {
    "vtt": parse_vtt,
    "srt": parse_srt,
    "txt": parse_text,
    "json": parse_json,
}


def detect_format(filename: str, data: bytes | str = b"") -> str:
    """vtt, srt, txt or json, from the file's suffix, else from how it starts."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in PARSERS:
        return suffix
    head = data[:200].decode("utf-8", "ignore") if isinstance(data, bytes) else data[:200]
    head = head.lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "vtt"
    if re.match(r"^\d+\s*\n\s*\d+:\d{2}:\d{2}[,.]\d{3}\s+-->", head):
        return "srt"
    return "txt"


def parse(fmt: str, data: bytes | str) -> list[Cue]:
    """Parse ``data`` as ``fmt`` (vtt, srt, txt or json)."""
    if fmt not in PARSERS:
        raise ValueError(f"Cannot import {fmt!r} transcripts: use one of {', '.join(PARSERS)}.")
    return PARSERS[fmt](data)


# -------------------------------------------------------------------------- cues → segments

CHARS_PER_SECOND = 15.0  # a calm speaking pace, for texts without times or a known duration


@dataclass(frozen=True)
class TimedText:
    start: float
    end: float
    text: str


def cues_to_segments(cues: Sequence[Cue], *, duration: float | None = None) -> list[TimedText]:
    """Give every cue a start and an end.

    Untimed text is spread over ``duration`` in proportion to its length (or at a calm speaking
    pace when the duration is unknown); a cue with only a start ends where the next one starts.
    """
    if not cues:
        return []
    if all(c.start is None for c in cues):
        total_chars = sum(len(c.text) for c in cues)
        span = duration if duration and duration > 0 else total_chars / CHARS_PER_SECOND
        out, at = [], 0.0
        for cue in cues:
            length = span * len(cue.text) / total_chars
            out.append(TimedText(round(at, 3), round(at + length, 3), cue.text))
            at += length
        return out
    out = []
    for index, cue in enumerate(cues):
        start = float(cue.start or 0.0)
        if cue.end is not None:
            end = cue.end
        elif index + 1 < len(cues) and (next_start := cues[index + 1].start) is not None:
            end = next_start
        else:
            end = max(start, duration or start + len(cue.text) / CHARS_PER_SECOND)
        out.append(TimedText(round(start, 3), round(max(start, end), 3), cue.text))
    return out
