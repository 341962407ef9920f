"""The one read path of every export: visible stories with their accepted tags, in chunks."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Prefetch, Q

from coding import units
from coding.models import Tag, TagStatus
from coding.units import Unit
from stories.models import Segment, Speaker, Story, Theme, Value, display_name
from stories.visibility import Audience, StoryParts, speaker_name, story_parts

CHUNK = 200


class SegmentRow(NamedTuple):
    """What units need of a segment (plain rows: exports read many)."""

    start: float
    end: float
    text: str
    speaker: Speaker | None = None


@dataclass(frozen=True)
class ExportFilter:
    project_id: int | None = None
    value: Value | None = None
    theme: Theme | None = None
    # Exactly these tags (ids, or a subquery of them): what a search or a chart cell found.
    tag_ids: Any = None

    def tag_q(self) -> Q:
        q = Q(status=TagStatus.ACCEPTED)
        if self.tag_ids is not None:
            q &= Q(pk__in=self.tag_ids)
        if self.value is not None:
            q &= Q(value=self.value)
        if self.theme is not None:
            q &= Q(theme=self.theme)
        return q


@dataclass
class ExportedStory:
    story: Story
    parts: StoryParts
    units: list[Unit]
    tags: list[Tag] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)  # per unit of a recording, as shown

    @property
    def text(self) -> str:
        """The text that character positions refer to: the story's text or its transcript."""
        if self.story.has_media:
            return units.transcript_text(self.units)
        return self.story.text_body

    def quote(self, tag: Tag) -> str:
        """The excerpt's words as they stand now (a corrected transcript wins), or ''."""
        if not self.parts.quotes or not tag.is_excerpt:
            return ""
        text_body = None if self.story.has_media else self.story.text_body
        return units.quote(self.units, tag, text_body=text_body)

    def speakers_of(self, covered: list[Unit]) -> list[str]:
        """Who speaks in these units, each name once, in order of speaking."""
        names = [self.speakers[u.index] for u in covered if u.index < len(self.speakers)]
        return list(dict.fromkeys(name for name in names if name))

    def covered(self, tag: Tag) -> list[Unit]:
        touched = set(units.covered(self.units, tag))
        return [u for u in self.units if u.index in touched]

    def coder(self, tag: Tag) -> tuple[str, bool]:
        """Who coded it, and whether that was the storyteller (then named as the consent says)."""
        if tag.created_by_id is not None and tag.created_by_id == self.story.storyteller_id:
            return self.parts.attribution, True
        return display_name(tag.created_by), False


def export_story_ids(audience: Audience, filters: ExportFilter) -> list[int]:
    """The stories an export covers: visible to `audience`, with an accepted matching tag."""
    stories = Story.objects.visible_to(audience).filter(
        pk__in=Tag.objects.filter(filters.tag_q()).values("story_id")
    )
    if filters.project_id is not None:
        stories = stories.filter(project_id=filters.project_id)
    return list(stories.order_by("pk").values_list("pk", flat=True))


def exported_stories(
    audience: Audience, filters: ExportFilter, story_ids: list[int] | None = None
) -> Iterator[ExportedStory]:
    """Each exported story with its tags and units; a fixed number of queries per chunk."""
    ids = export_story_ids(audience, filters) if story_ids is None else story_ids
    tags = (
        Tag.objects.filter(filters.tag_q())
        .select_related("value", "theme", "created_by__storyteller_profile")
        .order_by("start_seconds", "char_start", "id")
    )
    for offset in range(0, len(ids), CHUNK):
        if offset:
            # Loaded rows link both ways (a user and their profile, a tag and its story): free
            # the last chunk's cycles now, so memory stays flat however long the export.
            gc.collect()
        chunk = ids[offset : offset + CHUNK]
        stories = list(
            Story.objects.visible_to(audience)
            .filter(pk__in=chunk)
            .select_related("consent", "project", "storyteller__storyteller_profile")
            .prefetch_related(Prefetch("tags", queryset=tags, to_attr="export_tags"))
            .order_by("pk")
        )
        segments: dict[int, list[SegmentRow]] = defaultdict(list)
        media_ids = [s.pk for s in stories if s.has_media]
        if media_ids:
            rows = (
                Segment.objects.filter(transcript__story_id__in=media_ids)
                .order_by("transcript__story_id", "index")
                .values_list(
                    "transcript__story_id",
                    "start",
                    "end",
                    "text",
                    "speaker__label",
                    "speaker__name",
                    "speaker__is_storyteller",
                )
            )
            for story_id, start, end, text, label, name, own in rows:
                voice = Speaker(label=label, name=name, is_storyteller=own) if label else None
                segments[story_id].append(SegmentRow(start, end, text, voice))
        for story in stories:
            parts = story_parts(audience, story)
            rows_of = segments.get(story.pk, [])
            yield ExportedStory(
                story=story,
                parts=parts,
                units=units.story_units(story, segments=rows_of),
                tags=story.export_tags,  # type: ignore[attr-defined]  # Prefetch to_attr
                speakers=[speaker_name(row.speaker, parts) for row in rows_of],
            )
