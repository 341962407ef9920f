"""Coded excerpts as CSV and JSON, one row per accepted tag, streamed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.utils import timezone

from coding.exports.excerpts import ExportedStory, ExportFilter, exported_stories
from coding.models import Tag
from stories.models import ValueGroup
from stories.visibility import Audience

COLUMNS = [
    "story_id",
    "story_title",
    "story_kind",
    "project",
    "storyteller",
    "code_type",
    "code",
    "code_slug",
    "value_number",
    "value_group",
    "excerpt",
    "start_seconds",
    "end_seconds",
    "first_segment",
    "last_segment",
    "speakers",
    "char_start",
    "char_end",
    "quote",
    "quote_withheld",
    "memo",
    "coder",
    "coder_is_storyteller",
    "tagged_at",
]


def excerpt_record(exported: ExportedStory, tag: Tag) -> dict:
    """One export row: the story as its consent allows, the code, where, the words, who and when."""
    story = exported.story
    covered = exported.covered(tag) if story.has_media else []
    coder, self_coded = exported.coder(tag)
    value = tag.value if tag.value_id else None
    return {
        "story_id": story.pk,
        "story_title": story.title,
        "story_kind": story.kind,
        "project": story.project.name if story.project else "",
        "storyteller": exported.parts.attribution,
        "code_type": tag.code_kind,
        "code": tag.code.name,
        "code_slug": tag.code.slug,
        "value_number": value.number if value else None,
        "value_group": ValueGroup(value.group).label if value else "",
        "excerpt": tag.is_excerpt,
        "start_seconds": tag.start_seconds,
        "end_seconds": tag.end_seconds,
        "first_segment": covered[0].index if covered else None,
        "last_segment": covered[-1].index if covered else None,
        "speakers": "; ".join(exported.speakers_of(covered)),
        "char_start": tag.char_start,
        "char_end": tag.char_end,
        "quote": exported.quote(tag),
        "quote_withheld": tag.is_excerpt and not exported.parts.quotes,
        "memo": tag.memo,
        "coder": coder,
        "coder_is_storyteller": self_coded,
        "tagged_at": tag.created_at.isoformat(),
    }


def excerpt_records(audience: Audience, filters: ExportFilter) -> Iterator[dict]:
    for exported in exported_stories(audience, filters):
        for tag in exported.tags:
            yield excerpt_record(exported, tag)


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Spreadsheet-safe text: a leading formula character is neutralised with a quote mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def excerpts_csv_stream(audience: Audience, filters: ExportFilter) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # the BOM lets spreadsheets read UTF-8
    for record in excerpt_records(audience, filters):
        yield writer.writerow([_cell(record[c]) for c in COLUMNS])


def excerpts_json_stream(audience: Audience, filters: ExportFilter) -> Iterator[str]:
    head = {
        "format": "community-story-archive/coded-excerpts",
        "version": 1,
        "exported_at": timezone.now().isoformat(),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "excerpts": ['
    separator = ""
    for record in excerpt_records(audience, filters):
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ", "
    yield "]}"
