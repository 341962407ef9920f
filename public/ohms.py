"""OHMS XML: a story's transcript and index in the Oral History Metadata Synchronizer's format.

OHMS (the Nunn Center's) keeps one `ROOT/record` per interview: the transcript as plain text,
with `[hh:mm:ss]` markers and/or a `sync` field ("1:|line(word)|…": for each minute, the
1-based transcript line and the word it falls on), and an `index` of `point`s (time in seconds,
title, synopsis, keywords and subjects separated by ";"). Exports differ in their namespace
(avpreserve.com or weareavp.com) and sometimes have none, so the reading matches local names.

`ohms_export` writes a story; `ohms_parse` reads a file into segments and chapters, refusing a
file it cannot place on a recording with a message that says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from lxml import etree
from lxml.builder import ElementMaker

from public import links
from stories.addresses import site_url
from stories.models import Chapter, Segment, Story
from stories.timecode import clock
from stories.visibility import PUBLIC_AUDIENCE, audience_for, story_parts

OHMS_NS = "https://www.weareavp.com/nunncenter/ohms"
MAX_OHMS_BYTES = 10 * 1024 * 1024
_MARKER = re.compile(r"\[(\d{1,2}):([0-5]\d):([0-5]\d)(?:\.\d+)?\]")
_SYNC_ENTRY = re.compile(r"^(\d+)\((\d+)\)$")
NOT_QUOTABLE = (
    "The storyteller did not agree to their words being quoted, so their transcript and index "
    "are not offered as a file."
)


class OhmsRefused(Exception):
    """The file is not an OHMS record the archive can use; the message says why."""


@dataclass(frozen=True)
class OhmsPoint:
    start: float
    title: str
    synopsis: str = ""
    keywords: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class OhmsRecord:
    title: str
    duration: float | None
    # (start, end, text) in order, ready for `transcript_replace`.
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    points: list[OhmsPoint] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------


def ohms_parse(data: bytes) -> OhmsRecord:
    """Read an OHMS XML export (raises OhmsRefused, naming what is wrong)."""
    if len(data) > MAX_OHMS_BYTES:
        raise OhmsRefused("The file is larger than an OHMS record can be (10 MB at most).")
    # No entities, no network, no DTD: an uploaded file only ever gives us its own text.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise OhmsRefused(f"The file is not well-formed XML ({exc.msg}).") from None
    record = root if _local(root) == "record" else _first(root, "record")
    if record is None:
        raise OhmsRefused(
            "The file has no <record> element, so it is not an OHMS export. Export the "
            "interview from OHMS (“Export XML”) and choose that file."
        )
    duration = _clock_seconds(_text(record, "duration")) or None
    segments = _transcript_segments(
        _raw_text(record, "transcript"), _text(record, "sync"), duration
    )
    points = _points(record)
    if not segments and not points:
        raise OhmsRefused(
            "The record has neither a transcript nor an index: there is nothing to import."
        )
    return OhmsRecord(
        title=" ".join(_text(record, "title").split()),
        duration=duration,
        segments=segments,
        points=points,
    )


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _first(scope: etree._Element, name: str) -> etree._Element | None:
    found = scope.xpath(f".//*[local-name()='{name}']")
    return found[0] if found else None


def _children(scope: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in scope if _local(child) == name]


def _child(scope: etree._Element, name: str) -> etree._Element | None:
    found = _children(scope, name)
    return found[0] if found else None


def _raw_text(scope: etree._Element, name: str) -> str:
    element = _child(scope, name)
    return "".join(element.itertext()) if element is not None else ""


def _text(scope: etree._Element, name: str) -> str:
    return _raw_text(scope, name).strip()


def _clock_seconds(value: str) -> float:
    """'H:MM:SS', 'MM:SS' or plain seconds; 0 for nothing usable."""
    value = value.strip()
    if not value:
        return 0.0
    try:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
    except ValueError:
        return 0.0
    return max(total, 0.0)


def _points(record: etree._Element) -> list[OhmsPoint]:
    index = _child(record, "index")
    if index is None:
        return []
    points: list[OhmsPoint] = []
    seen: set[float] = set()
    for number, point in enumerate(_children(index, "point"), start=1):
        raw_time = _text(point, "time")
        if not raw_time or not re.fullmatch(r"[\d:.]+", raw_time):
            raise OhmsRefused(
                f"Index point {number} has no time, or one that is not seconds or hh:mm:ss "
                f"({raw_time or 'empty'})."
            )
        start = _clock_seconds(raw_time)
        if start in seen:
            raise OhmsRefused(f"Two index points start at {clock(start)}; each needs its own time.")
        seen.add(start)
        title = " ".join(_text(point, "title").split())[:200] or f"Part at {clock(start)}"
        points.append(
            OhmsPoint(
                start=start,
                title=title,
                synopsis=_text(point, "synopsis")[:2000],
                keywords=_list(_text(point, "keywords")),
                subjects=_list(_text(point, "subjects")),
            )
        )
    return sorted(points, key=lambda p: p.start)


def _list(value: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in value.split(";") if word.strip())


def _transcript_segments(
    text: str, sync: str, duration: float | None
) -> list[tuple[float, float, str]]:
    """Timed passages of the transcript: from its [hh:mm:ss] markers, else from `sync`."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not body.strip():
        return []
    if _MARKER.search(body):
        timed = _from_markers(body)
    elif sync.strip():
        timed = _from_sync(body, sync)
    else:
        raise OhmsRefused(
            "The transcript has no timings (no [hh:mm:ss] markers and no sync field), so its "
            "words cannot be placed on the recording. Sync it in OHMS and export it again."
        )
    return _with_ends(timed, duration)


def _from_markers(body: str) -> list[tuple[float, str]]:
    passages: list[tuple[float, str]] = []
    position, start = 0, 0.0
    for match in _MARKER.finditer(body):
        passages.append((start, body[position : match.start()]))
        hours, minutes, seconds = (int(group) for group in match.groups())
        start, position = hours * 3600 + minutes * 60 + seconds, match.end()
    passages.append((start, body[position:]))
    return [(at, " ".join(words.split())) for at, words in passages if words.strip()]


def _from_sync(body: str, sync: str) -> list[tuple[float, str]]:
    head, _, rest = sync.strip().partition(":")
    if not head.isdigit() or int(head) == 0:
        raise OhmsRefused(
            f"The sync field does not start with its interval in minutes ({sync[:20]}…)."
        )
    interval = int(head) * 60
    lines = body.split("\n")
    marks: list[tuple[int, float]] = []  # (0-based line, seconds)
    for number, entry in enumerate((e.strip() for e in rest.split("|") if e.strip()), start=1):
        match = _SYNC_ENTRY.match(entry)
        if match is None:
            raise OhmsRefused(f"The sync field has an entry OHMS does not write: “{entry}”.")
        line = int(match.group(1)) - 1
        if 0 <= line < len(lines) and (not marks or line > marks[-1][0]):
            marks.append((line, number * interval))
    bounds = [(0, 0.0), *marks]
    passages = []
    for index, (first, at) in enumerate(bounds):
        last = bounds[index + 1][0] if index + 1 < len(bounds) else len(lines)
        words = " ".join(" ".join(lines[first:last]).split())
        if words:
            passages.append((at, words))
    return passages


def _with_ends(
    passages: list[tuple[float, str]], duration: float | None
) -> list[tuple[float, float, str]]:
    timed = []
    for index, (start, words) in enumerate(passages):
        following = passages[index + 1][0] if index + 1 < len(passages) else None
        if following is not None and following < start:
            raise OhmsRefused(f"The transcript's timings go backwards at {clock(start)}.")
        # The last passage runs to the end of the recording (or a few seconds a word).
        end = following if following is not None else max(duration or 0.0, start)
        if end <= start:
            end = start + max(1.0, len(words.split()) * 0.4)
        timed.append((float(start), float(end), words))
    return timed


# --- Writing ----------------------------------------------------------------------------------


def ohms_export_xml(story: Story, segments: list[Segment], chapters: list[Chapter]) -> bytes:
    """The story as an OHMS record: transcript lines with [hh:mm:ss] markers, sync, index."""
    E = ElementMaker(namespace=OHMS_NS, nsmap={None: OHMS_NS})
    lines = [f"[{_hh_mm_ss(segment.start)}] {segment.text.strip()}" for segment in segments]
    duration = story.media_duration or (segments[-1].end if segments else 0)
    record = E.record(
        E.version("5"),
        E.date(value=(story.told_on or story.created_at.date()).isoformat(), format="yyyy-mm-dd"),
        E.title(story.title),
        E.accession(f"story-{story.pk}"),
        E.duration(_hh_mm_ss(duration or 0)),
        E.collection_name(story.project.name if story.project else ""),
        E.repository(settings.WAGTAIL_SITE_NAME),
        E.repository_url(site_url("/")),
        E.interviewee(story_parts(PUBLIC_AUDIENCE, story).attribution),
        E.description(story.summary),
        E.language(story.language),
        E.media_url(site_url(links.story_media_url(story)) if story.media else ""),
        E.mediafile(E.host("Other"), E.clip_format(story.kind)),
        E.fmt(story.kind),
        E.sync(_sync(segments, lines)),
        E.transcript("\n".join(lines)),
        E.index(*(_point(E, chapter) for chapter in chapters)),
        E.rights(
            "Shown with the storyteller's consent, which they may withdraw at any time; the "
            "storyteller keeps the rights in their story."
        ),
        E.usage(""),
        id=f"story-{story.pk}",
    )
    root = E.ROOT(record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _hh_mm_ss(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _point(E: ElementMaker, chapter: Chapter) -> etree._Element:
    subjects = [v.name for v in chapter.values.all()] + [t.name for t in chapter.themes.all()]
    return E.point(
        E.time(str(int(chapter.start))),
        E.title(chapter.title),
        E.partial_transcript(""),
        E.synopsis(chapter.synopsis),
        E.keywords(";".join(chapter.keyword_list)),
        E.subjects(";".join(subjects)),
    )


def _sync(segments: list[Segment], lines: list[str]) -> str:
    """OHMS's sync map at one-minute steps: for each minute, the line (1-based) and word."""
    if not segments:
        return ""
    entries = []
    minute = 60.0
    end = segments[-1].end
    while minute <= end:
        index = max((i for i, s in enumerate(segments) if s.start <= minute), default=0)
        segment = segments[index]
        words = len(lines[index].split())
        span = max(segment.end - segment.start, 0.001)
        word = 1 + int(min(max((minute - segment.start) / span, 0.0), 1.0) * max(words - 1, 0))
        entries.append(f"{index + 1}({word})")
        minute += 60.0
    return "1:|" + "|".join(entries)


@require_safe
def ohms_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A story's OHMS record, for whoever may see it and where its words may be quoted."""
    audience = audience_for(request.user)
    story = get_object_or_404(
        Story.objects.visible_to(audience).select_related(
            "consent", "storyteller__storyteller_profile", "project"
        ),
        pk=pk,
    )
    if not story_parts(audience, story).quotes:
        refused = HttpResponse(NOT_QUOTABLE, status=403, content_type="text/plain; charset=utf-8")
        refused["Cache-Control"] = "private, no-store"
        return refused
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    chapters = list(
        Chapter.objects.filter(story=story).prefetch_related("values", "themes").order_by("start")
    )
    response = HttpResponse(
        ohms_export_xml(story, segments, chapters), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="story-{story.pk}-ohms.xml"'
    response["Cache-Control"] = "private, no-store"  # consent can change at any time
    return response
