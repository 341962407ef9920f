"""A REFI-QDA project (.qdpx) made elsewhere, read into a project's stories as proposals.

Reading (`read_qdpx`) knows nothing of the archive: codes, sources and their codings, each with
a time range (audio, video, a transcript's sync points) or a character range (text). Applying
(`import_qdpx`) matches them to the archive:

- sources to stories of the chosen project the curator may code, by the GUID this archive
  writes in its exports (`refi.guid("story", pk)`, so an export comes back to its stories) or
  else by the story's title;
- codes to values by name or slug, to themes by name or synonym (a merged theme stands for the
  theme that absorbed it); every other code is proposed as a new theme (`ImportedTheme`);
- each coding becomes a proposed tag, which a curator accepts or declines as any proposal.

Nothing is coded at once, and the summary says what was matched, proposed and skipped, and why.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from lxml import etree

from coding import permissions, services
from coding.exports.refi import guid
from coding.models import ImportedTheme, ImportedThemeStatus, QdpxImport, Tag, TagStatus
from coding.services import CodingError, Excerpt
from stories.models import Project, Story, Theme, ThemeSynonym, Value
from stories.types import Actor
from stories.visibility import CURATOR, audience_for

NS = "urn:QDA-XML:project:1.0"
MAX_BYTES = 200 * 1024 * 1024  # project.qde itself; recordings inside are never read


class QdpxError(Exception):
    """A file that is not a REFI-QDA project; the message says what is wrong with it."""


@dataclass(frozen=True)
class ReadCoding:
    code_guid: str
    start_seconds: float | None = None
    end_seconds: float | None = None
    char_start: int | None = None
    char_end: int | None = None
    memo: str = ""


@dataclass
class ReadSource:
    guid: str
    name: str
    kind: str  # "text", "audio", "video" (others are skipped)
    codings: list[ReadCoding] = field(default_factory=list)


@dataclass
class ReadProject:
    codes: dict[str, tuple[str, str]]  # guid -> (name, description)
    sources: list[ReadSource]


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _seconds(ms: str | None) -> float | None:
    try:
        return int(ms) / 1000 if ms is not None else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _codings(element, notes: dict[str, str], **where) -> list[ReadCoding]:
    found = []
    for coding in element.findall(_q("Coding")):
        ref = coding.find(_q("CodeRef"))
        if ref is None or not ref.get("targetGUID"):
            continue
        memo = "\n\n".join(
            notes[n.get("targetGUID")]
            for n in coding.findall(_q("NoteRef"))
            if n.get("targetGUID") in notes
        )
        found.append(ReadCoding(ref.get("targetGUID").upper(), memo=memo, **where))
    return found


def _transcript_codings(transcript, notes: dict[str, str]) -> list[ReadCoding]:
    """A transcript's selections, timed by their sync points (untimed ones are left out)."""
    times = {
        p.get("guid", "").upper(): _seconds(p.get("timeStamp"))
        for p in transcript.findall(_q("SyncPoint"))
    }
    found = []
    for selection in transcript.findall(_q("TranscriptSelection")):
        start = times.get((selection.get("fromSyncPoint") or "").upper())
        end = times.get((selection.get("toSyncPoint") or "").upper())
        if start is None or end is None:
            continue
        found += _codings(selection, notes, start_seconds=start, end_seconds=end)
    return found


def read_qdpx(data: bytes) -> ReadProject:
    """The codes and codings of a .qdpx (a zip holding project.qde); QdpxError if it is not one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise QdpxError(
            "This file is not a REFI-QDA project: a .qdpx file is a zip archive, and this one "
            "is not. Export the project again from your QDA tool as “REFI-QDA project”."
        ) from error
    with archive:
        try:
            info = archive.getinfo("project.qde")
        except KeyError as error:
            raise QdpxError(
                "This zip archive has no project.qde inside, so it is not a REFI-QDA project."
            ) from error
        if info.file_size > MAX_BYTES:
            raise QdpxError("The project.qde inside is too large to import here.")
        raw = archive.read(info)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise QdpxError(f"The project.qde inside is not valid XML ({error}).") from error
    if root.tag != _q("Project"):
        raise QdpxError(
            "The project.qde inside is not a REFI-QDA project (its root is not a Project of "
            "the REFI-QDA namespace)."
        )
    codes: dict[str, tuple[str, str]] = {}
    for code in root.iter(_q("Code")):
        description = code.find(_q("Description"))
        codes[code.get("guid", "").upper()] = (
            (code.get("name") or "").strip(),
            (description.text or "").strip() if description is not None else "",
        )
    notes = {
        n.get("guid", "").upper(): "".join(n.findtext(_q("PlainTextContent")) or "").strip()
        for n in root.iter(_q("Note"))
    }
    sources: list[ReadSource] = []
    for element in root.find(_q("Sources")) if root.find(_q("Sources")) is not None else []:
        if not isinstance(element.tag, str):
            continue  # a comment
        local = etree.QName(element).localname
        kind = {"TextSource": "text", "AudioSource": "audio", "VideoSource": "video"}.get(
            local, local
        )
        source = ReadSource(element.get("guid", "").upper(), element.get("name", ""), kind)
        source.codings += _codings(element, notes)  # the whole source
        for selection in element.findall(_q("PlainTextSelection")):
            source.codings += _codings(
                selection,
                notes,
                char_start=_int(selection.get("startPosition")),
                char_end=_int(selection.get("endPosition")),
            )
        for name in ("AudioSelection", "VideoSelection"):
            for selection in element.findall(_q(name)):
                source.codings += _codings(
                    selection,
                    notes,
                    start_seconds=_seconds(selection.get("begin")),
                    end_seconds=_seconds(selection.get("end")),
                )
        for transcript in element.findall(_q("Transcript")):
            source.codings += _transcript_codings(transcript, notes)
        sources.append(source)
    return ReadProject(codes, sources)


# --- matching to the archive ------------------------------------------------------------------


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def code_matcher() -> dict[str, Value | Theme]:
    """Every name a code may go by -> the value or theme it means (values win a clash)."""
    themes = {t.pk: t for t in Theme.objects.all()}
    final = Theme.objects.final_ids()
    names: dict[str, Value | Theme] = {}
    for synonym in ThemeSynonym.objects.all():
        names[_norm(synonym.name)] = themes[final.get(synonym.theme_id, synonym.theme_id)]
    for theme in themes.values():
        names[_norm(theme.name)] = themes[final.get(theme.pk, theme.pk)]
    for value in Value.objects.all():
        names[_norm(value.slug)] = value
        names[_norm(value.name)] = value
    return names


@dataclass
class Summary:
    sources: list[dict] = field(default_factory=list)  # name, story (id, title) or why skipped
    codes: list[dict] = field(default_factory=list)  # name, matched to, or "new theme"
    proposed: int = 0
    waiting: int = 0  # codings held by proposed new themes
    skipped: Counter = field(default_factory=Counter)  # reason -> how many codings

    def as_json(self) -> dict:
        return {
            "sources": self.sources,
            "codes": self.codes,
            "proposed": self.proposed,
            "waiting": self.waiting,
            "skipped": dict(self.skipped),
        }


def _story_for(source: ReadSource, by_guid: dict[str, Story], by_title: dict) -> Story | None:
    if source.guid in by_guid:
        return by_guid[source.guid]
    found = by_title.get(_norm(source.name), [])
    return found[0] if len(found) == 1 else None


def _excerpt(story: Story, coding: ReadCoding) -> Excerpt | None:
    """The coding's range as this story counts them; None for the whole story."""
    if coding.start_seconds is not None and coding.end_seconds is not None:
        if not story.has_media:
            raise CodingError("a time range on a text story")
        return Excerpt.times(coding.start_seconds, coding.end_seconds)
    if coding.char_start is not None and coding.char_end is not None:
        if story.has_media:
            raise CodingError("a character range on a recording (only its times can be matched)")
        return Excerpt.chars(coding.char_start, coding.char_end)
    return None


def _range(excerpt: Excerpt | None) -> dict:
    if excerpt is None:
        return {}
    return {
        "start_seconds": excerpt.start_seconds,
        "end_seconds": excerpt.end_seconds,
        "char_start": excerpt.char_start,
        "char_end": excerpt.char_end,
    }


@transaction.atomic
def import_qdpx(*, data: bytes, file_name: str, project: Project, actor: Actor) -> QdpxImport:
    """Read the file and propose its codings on `project`'s stories (see the module's doc)."""
    audience = audience_for(actor)
    if not audience.has(CURATOR):
        raise PermissionDenied("Only curators import REFI-QDA projects.")
    read = read_qdpx(data)
    stories = list(
        permissions.codable_stories(audience)
        .filter(project=project)
        .only("pk", "title", "kind", "text_body", "project_id", "storyteller_id")
    )
    by_guid = {guid("story", s.pk).upper(): s for s in stories}
    by_title: dict[str, list[Story]] = {}
    for story in stories:
        by_title.setdefault(_norm(story.title), []).append(story)
    names = code_matcher()
    record = QdpxImport.objects.create(project=project, file_name=file_name[:255], created_by=actor)
    summary = Summary()
    matched: dict[str, Value | Theme] = {}
    new_themes: dict[str, ImportedTheme] = {}
    for code_guid, (name, description) in read.codes.items():
        code = names.get(_norm(name)) if name else None
        if code is not None:
            matched[code_guid] = code
            kind = "value" if isinstance(code, Value) else "theme"
            summary.codes.append({"name": name, "matched": f"{kind}: {code.name}"})
        elif name:
            key = _norm(name)
            if key not in new_themes:
                new_themes[key] = ImportedTheme(source=record, name=name, description=description)
                summary.codes.append({"name": name, "matched": ""})
            new_themes[code_guid] = new_themes[key]
    for source in read.sources:
        if source.kind not in ("text", "audio", "video"):
            summary.sources.append({"name": source.name, "skipped": "not text or a recording"})
            summary.skipped["source is not text or a recording"] += len(source.codings)
            continue
        found = _story_for(source, by_guid, by_title)
        if found is None:
            summary.sources.append(
                {"name": source.name, "skipped": "no story of this project by that name"}
            )
            summary.skipped["no matching story in this project"] += len(source.codings)
            continue
        story = found
        summary.sources.append({"name": source.name, "story": story.pk, "title": story.title})
        for coding in source.codings:
            try:
                excerpt = _excerpt(story, coding)
            except CodingError as error:
                summary.skipped[str(error)] += 1
                continue
            if coding.code_guid in matched:
                try:
                    tag = services.tag_import_proposal(
                        story=story,
                        actor=actor,
                        code=matched[coding.code_guid],
                        excerpt=excerpt,
                        memo=coding.memo,
                    )
                except CodingError:
                    summary.skipped["the range lies outside the story"] += 1
                    continue
                if tag is None:
                    summary.skipped["already coded so in the archive"] += 1
                else:
                    summary.proposed += 1
            elif coding.code_guid in new_themes:
                new_themes[coding.code_guid].codings.append(
                    {"story": story.pk, "memo": coding.memo, **_range(excerpt)}
                )
                summary.waiting += 1
            else:
                summary.skipped["its code is not in the codebook"] += 1
    for theme in {id(t): t for t in new_themes.values()}.values():
        if theme.codings:
            theme.save()
        else:  # a grouping code, or one nothing was coded with here: nothing to propose
            for entry in summary.codes:
                if entry["name"] == theme.name and not entry["matched"]:
                    entry["unused"] = True
    record.summary = summary.as_json()
    record.save(update_fields=["summary"])
    return record


def propose_theme_codings(imported: ImportedTheme, theme: Theme, actor: Actor) -> int:
    """The codings an imported theme held, as proposed tags of `theme`; how many were new."""
    stories = {
        s.pk: s
        for s in permissions.codable_stories(audience_for(actor)).filter(
            pk__in={c["story"] for c in imported.codings}
        )
    }
    made = 0
    for coding in imported.codings:
        story = stories.get(coding["story"])
        if story is None:
            continue  # withdrawn or closed since the import
        start, end = coding.get("start_seconds"), coding.get("end_seconds")
        first, last = coding.get("char_start"), coding.get("char_end")
        excerpt = (
            Excerpt.times(start, end)
            if start is not None and end is not None
            else Excerpt.chars(first, last)
            if first is not None and last is not None
            else None
        )
        try:
            tag = services.tag_import_proposal(
                story=story, actor=actor, code=theme, excerpt=excerpt, memo=coding.get("memo", "")
            )
        except CodingError:
            continue
        made += tag is not None
    return made


@transaction.atomic
def imported_theme_review(
    *,
    imported: ImportedTheme,
    actor: Actor,
    decision: str,
    name: str = "",
    into: Theme | None = None,
) -> int:
    """A curator's answer to a proposed new theme: "add" it (under `name`, or its own), "merge"
    it `into` a theme (its name becomes a synonym there), or "decline" it. Adding or merging
    proposes its codings as tags; returns how many."""
    if not audience_for(actor).has(CURATOR):
        raise PermissionDenied("Only curators review imported themes.")
    imported = ImportedTheme.objects.select_for_update().get(pk=imported.pk)
    if imported.status != ImportedThemeStatus.PROPOSED:
        raise CodingError("This theme has already been reviewed.")
    made = 0
    if decision == "add":
        theme = services.theme_create(
            name=name.strip() or imported.name, actor=actor, description=imported.description
        )
        imported.status, imported.theme = ImportedThemeStatus.ADDED, theme
        made = propose_theme_codings(imported, theme, actor)
    elif decision == "merge":
        if into is None:
            raise CodingError("Choose the theme to merge it into.")
        services.theme_synonym_add(theme=into, name=imported.name, actor=actor)
        imported.status, imported.theme = ImportedThemeStatus.MERGED, into
        made = propose_theme_codings(imported, into, actor)
    elif decision == "decline":
        imported.status = ImportedThemeStatus.DECLINED
    else:
        raise CodingError("Add it, merge it into a theme, or decline it.")
    imported.codings = []  # they are proposals now, or declined: nothing waits here any more
    imported.reviewed_by, imported.reviewed_at = actor, timezone.now()
    imported.save()
    return made


def waiting_proposals(record: QdpxImport) -> int:
    """Proposals still waiting on the import's project (for its summary page)."""
    return Tag.objects.filter(status=TagStatus.PROPOSED, story__project=record.project).count()
