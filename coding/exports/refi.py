"""REFI-QDA exchange files: a project (.qdpx) with sources and codings, and a codebook (.qdc).

The project is QDA-XML 1.0 (`urn:QDA-XML:project:1.0`, the published Project.xsd), zipped
with its sources, which is what NVivo, ATLAS.ti, MAXQDA and QualCoder import:

- the codebook: a "Values" code with the two value groups and their 18 values, and a "Themes"
  code with the curated themes nested as in the archive (synonyms in each description);
- a text story is a TextSource (its text in sources/<guid>.txt) with one PlainTextSelection
  per coded character range;
- an audio or video story is an AudioSource or VideoSource with its Transcript (the segments,
  one per line, in sources/<guid>.txt) and a SyncPoint at the start and end of every segment
  (time in milliseconds to character position), so a coded moment is a TranscriptSelection
  from one sync point to another and keeps its times;
- who speaks: the QDA-XML schema has no place for a speaker on a transcript, so each line of
  the transcript text starts with the speaker's name and a colon ("Interviewer: …"), the
  convention transcription tools use; its sync points mark the words after the name. The name
  is the one the reader may see (the storyteller's own voice under their attribution);
- where the storyteller did not agree to quotes, no words go out: media codings become
  AudioSelection/VideoSelection time ranges, and a text story's codings sit on the source;
- memos become Notes referenced from their codings; coders become Users (a storyteller who
  proposed a tag appears under the attribution their consent gives, never their account).

GUIDs are derived from the archive's ids (uuid5), so exporting twice gives the same GUIDs and
tools can merge a re-export. Values use their stable slugs, so their GUIDs are the same in
every archive.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from xml.sax.saxutils import quoteattr

from django.db.models import Prefetch, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from lxml import etree

from coding.exports.excerpts import ExportedStory, ExportFilter, exported_stories
from coding.models import Tag
from stories.models import Story, Theme, ThemeSynonym, Value, ValueGroup
from stories.timecode import clock
from stories.visibility import Audience

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Community Story Archive"
GUID_NAMESPACE = uuid.UUID("4f0f7a52-5a43-4c9b-9c57-0d3c6d1b7e21")
VALUE_COLOUR = "#1F6F8B"
THEME_COLOUR = "#8B4A1F"
QUOTES_WITHHELD = (
    "[The storyteller did not agree to quotes from this story, so its words are not exported. "
    "Its codings apply to the story as a whole here; the archive keeps where each one is.]"
)
SPOOL_BYTES = 4 * 1024 * 1024

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def guid(*parts: object) -> str:
    # Lower case, as RFC 4122 writes them (the schema allows both; some readers take only this).
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join(str(p) for p in parts)))


def _x(text: str) -> str:
    """Text that XML 1.0 can carry (control characters dropped)."""
    return _NOT_XML.sub("", text)


def _dt(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(seconds: float) -> str:
    return str(round(seconds * 1000))


def value_guid(value: Value) -> str:
    return guid("value", value.slug)


def theme_guid(theme_id: int) -> str:
    return guid("theme", theme_id)


def code_guid(tag: Tag) -> str:
    if tag.value_id and tag.value is not None:
        return value_guid(tag.value)
    assert tag.theme_id is not None  # a tag links to a value or a theme
    return theme_guid(tag.theme_id)


# --- the codebook -----------------------------------------------------------------------------


def _code(parent, guid_: str, name: str, *, codable: bool, colour: str, description: str = ""):
    element = etree.SubElement(
        parent,
        "Code",
        guid=guid_,
        name=_x(name),
        isCodable="true" if codable else "false",
        color=colour,
    )
    if description:
        etree.SubElement(element, "Description").text = _x(description)
    return element


def codebook_codes(extra_theme_ids: set[int] | frozenset[int] = frozenset()) -> etree._Element:
    """<Codes> (unqualified, to sit under a namespaced root): values, then the theme tree."""
    codes = etree.Element("Codes")
    values_root = _code(
        codes,
        guid("codes", "values"),
        "Values",
        codable=False,
        colour=VALUE_COLOUR,
        description="The 18 values of co-production, in two groups.",
    )
    values = list(Value.objects.order_by("number"))
    for group in ValueGroup:
        group_code = _code(
            values_root,
            guid("value-group", group.value),
            group.label,
            codable=False,
            colour=VALUE_COLOUR,
        )
        for value in values:
            if value.group == group.value:
                _code(
                    group_code,
                    value_guid(value),
                    value.name,
                    codable=True,
                    colour=VALUE_COLOUR,
                    description=value.description,
                )
    themes_root = _code(
        codes,
        guid("codes", "themes"),
        "Themes",
        codable=False,
        colour=THEME_COLOUR,
        description="Themes curated in the archive.",
    )
    themes = list(
        Theme.objects.filter(Q(merged_into__isnull=True) | Q(pk__in=extra_theme_ids))
        .select_related("merged_into")
        .prefetch_related(Prefetch("synonyms", queryset=ThemeSynonym.objects.order_by("name")))
        .order_by("sort_order", "name")
    )
    ids = {t.pk for t in themes}
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids and not theme.merged_into_id else None
        children[parent].append(theme)

    def add(parent_element, parent_id: int | None, seen: frozenset[int]) -> None:
        for theme in children.get(parent_id, []):
            if theme.pk in seen:
                continue
            notes = [theme.description.strip()] if theme.description.strip() else []
            if theme.synonym_names:
                notes.append("Synonyms: " + ", ".join(theme.synonym_names) + ".")
            if theme.merged_into_id and theme.merged_into is not None:
                notes.append(f"Merged into “{theme.merged_into.name}” in the archive.")
            element = _code(
                parent_element,
                theme_guid(theme.pk),
                theme.name,
                codable=True,
                colour=THEME_COLOUR,
                description=" ".join(notes),
            )
            add(element, theme.pk, seen | {theme.pk})

    add(themes_root, None, frozenset())
    return codes


def codebook_qdc() -> bytes:
    """The codebook alone, as a REFI-QDA codebook file (`urn:QDA-XML:codebook:1.0`)."""
    body = etree.tostring(codebook_codes(), encoding="utf-8", xml_declaration=False)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + f"<CodeBook xmlns={quoteattr(NS_CODEBOOK)} origin={quoteattr(ORIGIN)}>".encode()
        + body
        + b"</CodeBook>\n"
    )


# --- sources ----------------------------------------------------------------------------------


class _Project:
    """What one pass over the stories collects besides the sources: users, notes, themes."""

    def __init__(self) -> None:
        self.users: dict[str, str] = {}
        self.theme_ids: set[int] = set()
        self.notes = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.sources = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.has_notes = False
        self.has_sources = False

    def close(self) -> None:
        self.notes.close()
        self.sources.close()

    def coding(self, parent, exported: ExportedStory, tag: Tag) -> None:
        """A Coding of `parent` for `tag`; a selection also names the coder who made its first
        coding (optional in the schema, but some readers skip a selection without it)."""
        coding = etree.SubElement(
            parent, "Coding", guid=guid("coding", tag.pk), creationDateTime=_dt(tag.created_at)
        )
        user = None
        if tag.created_by_id is not None:
            name, self_coded = exported.coder(tag)
            if self_coded:
                user = guid("storyteller-of", exported.story.pk)
                name = f"{name} (storyteller)"
            else:
                user = guid("user", tag.created_by_id)
            self.users[user] = name
            coding.set("creatingUser", user)
            if parent.tag.endswith("Selection") and not parent.get("creatingUser"):
                parent.set("creatingUser", user)
        etree.SubElement(coding, "CodeRef", targetGUID=code_guid(tag))
        if tag.theme_id:
            self.theme_ids.add(tag.theme_id)
        if tag.memo.strip():
            note_guid = guid("memo", tag.pk)
            etree.SubElement(coding, "NoteRef", targetGUID=note_guid)
            note = etree.Element(
                "Note",
                guid=note_guid,
                name=_x(f"Memo: {tag.code.name} on “{exported.story.title}”"),
                creationDateTime=_dt(tag.created_at),
            )
            if user:
                note.set("creatingUser", user)
            etree.SubElement(note, "PlainTextContent").text = _x(tag.memo)
            self.notes.write(etree.tostring(note, encoding="utf-8", xml_declaration=False))
            self.has_notes = True

    def source(
        self,
        exported: ExportedStory,
        media_url: Callable[[Story], str | None] | None,
        media_file: Callable[[Story], FieldFile | None] | None = None,
    ) -> tuple[list[tuple[str, str]], FieldFile | None]:
        """Spool the story's source element; return the text files it refers to, and the
        recording to put inside the project (when embedding, where the consent allows)."""
        story, parts = exported.story, exported.parts
        source_guid = guid("story", story.pk)
        files: list[tuple[str, str]] = []
        kind_name = story.get_kind_display().lower()
        article = "An" if kind_name[0] in "aeiou" else "A"
        description = f"Told by {parts.attribution}. {article} {kind_name} story"
        if story.project_id and story.project is not None:
            description += f" from the project “{story.project.name}”"
        description += f", archive story {story.pk}."
        if not parts.quotes:
            description += " The storyteller did not agree to quotes: no words are exported."
        embedded: FieldFile | None = None
        whole = [t for t in exported.tags if not t.is_excerpt]
        excerpts = [t for t in exported.tags if t.is_excerpt]
        attrs = {
            "guid": source_guid,
            "name": _x(story.title),
            "creationDateTime": _dt(story.created_at),
        }
        if story.has_media:
            kind = "Video" if story.kind == "video" else "Audio"
            element = etree.Element(f"{kind}Source", **attrs)
            path = media_url(story) if media_url else None
            # Inside the project the recording leaves the archive with the words it speaks: only
            # where quotes are allowed, and only as this reader may hear it (redacted).
            embedded = media_file(story) if media_file and parts.quotes else None
            if embedded:
                suffix = PurePosixPath(str(embedded.name)).suffix.lower()
                element.set("path", f"internal://{source_guid}{suffix}")
            elif path:
                element.set("path", path)
            etree.SubElement(element, "Description").text = _x(description)
            timed: list[Tag] = []
            if parts.quotes and exported.units:
                files.append(self._transcript(element, exported, excerpts, timed))
            else:
                timed = [t for t in excerpts if t.start_seconds is not None]
            spans: dict[tuple[float, float], list[Tag]] = defaultdict(list)
            for tag in timed:
                assert tag.start_seconds is not None and tag.end_seconds is not None  # timed
                spans[(tag.start_seconds, tag.end_seconds)].append(tag)
            for (start, end), tags in spans.items():
                selection = etree.SubElement(
                    element,
                    f"{kind}Selection",
                    guid=guid("selection", story.pk, start, end),
                    name=f"{clock(start)}\u2013{clock(end)}",
                    begin=_ms(start),
                    end=_ms(end),
                    creationDateTime=_dt(min(t.created_at for t in tags)),
                )
                for tag in tags:
                    self.coding(selection, exported, tag)
            for tag in whole:
                self.coding(element, exported, tag)
        else:
            element = etree.Element("TextSource", **attrs)
            etree.SubElement(element, "Description").text = _x(description)
            if parts.quotes:
                element.set("plainTextPath", f"internal://{source_guid}.txt")
                files.append((f"{source_guid}.txt", story.text_body))
                ranges: dict[tuple[int, int], list[Tag]] = defaultdict(list)
                for tag in excerpts:
                    # A text story's excerpts are character ranges.
                    ranges[(tag.char_start, tag.char_end)].append(tag)  # type: ignore[index]
                for (start, end), tags in sorted(ranges.items()):
                    words = story.text_body[start:end]
                    selection = etree.SubElement(
                        element,
                        "PlainTextSelection",
                        guid=guid("selection", story.pk, start, end),
                        name=_x(words if len(words) <= 60 else words[:57] + "…"),
                        startPosition=str(start),
                        endPosition=str(end),
                        creationDateTime=_dt(min(t.created_at for t in tags)),
                    )
                    for tag in tags:
                        self.coding(selection, exported, tag)
                for tag in whole:
                    self.coding(element, exported, tag)
            else:
                etree.SubElement(element, "PlainTextContent").text = QUOTES_WITHHELD
                for tag in exported.tags:
                    self.coding(element, exported, tag)
        self.sources.write(etree.tostring(element, encoding="utf-8", xml_declaration=False))
        self.has_sources = True
        return files, embedded

    def _transcript(self, element, exported: ExportedStory, excerpts: list[Tag], timed: list[Tag]):
        """The Transcript with sync points; excerpts it cannot place go to `timed`."""
        story = exported.story
        transcript_guid = guid("transcript", story.pk)
        transcript = etree.SubElement(
            element,
            "Transcript",
            guid=transcript_guid,
            name=_x(f"Transcript of {story.title}"),
            plainTextPath=f"internal://{transcript_guid}.txt",
        )
        lines: list[str] = []
        position = 0
        for unit in exported.units:
            assert unit.start_seconds is not None and unit.end_seconds is not None  # segments
            name = exported.speakers[unit.index] if unit.index < len(exported.speakers) else ""
            said = f"{name}: " if name else ""
            at = position + len(said)
            lines.append(said + unit.text)
            position += len(said) + len(unit.text) + 1  # the newline between lines
            etree.SubElement(
                transcript,
                "SyncPoint",
                guid=guid("sync", story.pk, unit.index, "start"),
                timeStamp=_ms(unit.start_seconds),
                position=str(at),
            )
            etree.SubElement(
                transcript,
                "SyncPoint",
                guid=guid("sync", story.pk, unit.index, "end"),
                timeStamp=_ms(unit.end_seconds),
                position=str(at + len(unit.text)),
            )
        spans: dict[tuple[int, int], list[Tag]] = defaultdict(list)
        for tag in excerpts:
            covered = exported.covered(tag)
            if covered:
                spans[(covered[0].index, covered[-1].index)].append(tag)
            elif tag.start_seconds is not None:
                timed.append(tag)
        for (first, last), tags in sorted(spans.items()):
            start, end = exported.units[first], exported.units[last]
            assert start.start_seconds is not None and end.end_seconds is not None  # segments
            selection = etree.SubElement(
                transcript,
                "TranscriptSelection",
                guid=guid("selection", story.pk, first, last),
                name=f"{clock(start.start_seconds)}\u2013{clock(end.end_seconds)}",
                fromSyncPoint=guid("sync", story.pk, first, "start"),
                toSyncPoint=guid("sync", story.pk, last, "end"),
                creationDateTime=_dt(min(t.created_at for t in tags)),
            )
            for tag in tags:
                self.coding(selection, exported, tag)
        return (f"{transcript_guid}.txt", "\n".join(lines))


class _Sink:
    """A write-only file for zipfile that hands its bytes on as they come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # zipfile never closes a file it was handed; typing.Protocol asks for it

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def _copy(source, target, size: int = 256 * 1024) -> None:
    source.seek(0)
    while block := source.read(size):
        target.write(block)


def project_qdpx_stream(
    audience: Audience,
    filters: ExportFilter,
    *,
    media_url: Callable[[Story], str | None] | None = None,
    media_file: Callable[[Story], FieldFile | None] | None = None,
    description: str = "",
) -> Iterator[bytes]:
    """A .qdpx (zip: project.qde and sources/), streamed in one pass over the stories.

    `media_url` links each recording; `media_file`, when given, puts the recording itself in
    sources/ (`internal://`), so QDA tools play it offline.
    """
    sink = _Sink()
    project = _Project()
    try:
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for exported in exported_stories(audience, filters):
                texts, recording = project.source(exported, media_url, media_file)
                for name, text in texts:
                    with archive.open(f"sources/{name}", "w", force_zip64=True) as handle:
                        handle.write(text.encode("utf-8"))
                if recording is not None:
                    suffix = PurePosixPath(str(recording.name)).suffix.lower()
                    name = f"sources/{guid('story', exported.story.pk)}{suffix}"
                    # Already compressed audio and video: stored, not deflated again.
                    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_STORED
                    with (
                        recording.storage.open(str(recording.name), "rb") as source,
                        archive.open(info, "w", force_zip64=True) as handle,
                    ):
                        while block := source.read(256 * 1024):
                            handle.write(block)
                            if chunk := sink.take():
                                yield chunk
                if chunk := sink.take():
                    yield chunk
            with archive.open("project.qde", "w", force_zip64=True) as qde:
                now = _dt(timezone.now())
                qde.write(
                    (
                        '<?xml version="1.0" encoding="utf-8"?>\n'
                        f"<Project xmlns={quoteattr(NS_PROJECT)} "
                        f"name={quoteattr('Coded excerpts')} origin={quoteattr(ORIGIN)} "
                        f'creationDateTime="{now}">'
                    ).encode()
                )
                if project.users:
                    users = etree.Element("Users")
                    for user_guid, name in sorted(project.users.items(), key=lambda u: u[1]):
                        etree.SubElement(users, "User", guid=user_guid, name=_x(name))
                    qde.write(etree.tostring(users, encoding="utf-8", xml_declaration=False))
                qde.write(b"<CodeBook>")
                qde.write(
                    etree.tostring(
                        codebook_codes(project.theme_ids), encoding="utf-8", xml_declaration=False
                    )
                )
                qde.write(b"</CodeBook>")
                if project.has_sources:
                    qde.write(b"<Sources>")
                    _copy(project.sources, qde)
                    qde.write(b"</Sources>")
                if project.has_notes:
                    qde.write(b"<Notes>")
                    _copy(project.notes, qde)
                    qde.write(b"</Notes>")
                if description:
                    element = etree.Element("Description")
                    element.text = _x(description)
                    qde.write(etree.tostring(element, encoding="utf-8", xml_declaration=False))
                qde.write(b"</Project>\n")
        yield sink.take()
    finally:
        project.close()


__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "codebook_codes",
    "codebook_qdc",
    "guid",
    "project_qdpx_stream",
]
