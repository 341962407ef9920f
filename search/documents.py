"""A story as the search index sees it: built here once from the database, for both backends.

A document carries what search matches (title, summary, transcript or text, stemmed), what it
counts (values, value groups, themes, project, collections, language, year, kind), the
story's passages (transcript segments with their start times, or paragraphs of a text story
with their character offsets, each with the tags that cover it) and the audience fields from
the visibility rule (`audience_markers`, owner, project, consent expiry and seal).

Each text is stemmed in its own language (search.text): the title, summary and text of a story
in the story's `language`, a transcript's segments in their own language where a line has one
(stories.languages: a line in Spanish inside an English interview), else in the transcript's
(what Whisper heard or the storyteller chose), the story's where the transcript has none.

Withdrawn stories have no document: the index must not hold them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import orjson
from django.db.models import Q

from coding.models import Tag
from search import text as textmod
from search.query import THEME_TOKEN, VALUE_TOKEN
from stories.models import CollectionPage, CollectionStory, Segment, Story, Theme
from stories.visibility import audience_markers

# Text stories are cut into passages of about this many characters, at sentence ends.
PASSAGE_CHARS = 600


@dataclass
class PassageDoc:
    n: int
    text: str
    stem: str  # stems of the text, then the tag tokens of the tags that cover it
    start: float | None = None  # seconds (transcript segments)
    end: float | None = None
    char_start: int | None = None  # characters (text stories)
    char_end: int | None = None
    vector: Any = None  # what it means (numpy, search.vectors.attach); not in the fingerprint


@dataclass
class StoryDoc:
    story_id: int
    title: str
    summary: str
    kind: str
    language: str
    status: str
    owner_id: int
    project_id: int | None
    date: datetime.date
    year: int
    published_at: datetime.datetime | None
    value_ids: list[int]
    value_groups: list[str]
    theme_ids: list[int]
    collection_ids: list[int]
    audiences: list[str]
    consent_expires_at: datetime.datetime | None
    sealed_until: datetime.date | None
    title_words: list[str]
    title_stem: str
    summary_stem: str
    all_stem: str
    passages: list[PassageDoc] = field(default_factory=list)
    source_hash: str = ""
    # The mean of the passages' vectors and the model that made them (search.vectors.attach).
    vector: Any = None
    vector_model: str = ""

    def facet_keys(self) -> dict[str, list[str]]:
        """The keys this story is counted under, per facet (all as strings)."""
        return {
            "value": [str(v) for v in self.value_ids],
            "value_group": list(self.value_groups),
            "theme": [str(t) for t in self.theme_ids],
            "project": [str(self.project_id)] if self.project_id else [],
            "collection": [str(c) for c in self.collection_ids],
            "language": [self.language] if self.language else [],
            "year": [str(self.year)],
            "kind": [self.kind],
        }

    def as_dict(self) -> dict:
        """Every field, passages as dicts (a flat copy: faster than dataclasses.asdict)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["passages"] = [p.__dict__.copy() for p in self.passages]
        return data

    def fingerprint(self) -> str:
        """A hash of everything indexed: the drift check compares it with the index's copy."""
        data = self.as_dict()
        for derived in ("source_hash", "vector", "vector_model"):
            data.pop(derived)
        for passage in data["passages"]:
            passage.pop("vector")
        # orjson: a rebuild fingerprints every story, and the standard library's encoder cost
        # as much as building the rest of the document.
        raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)
        return hashlib.sha256(raw).hexdigest()[:32]


def split_passages(body: str, size: int = PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Character ranges of a text story's passages: paragraphs, long ones cut at sentence ends."""
    ranges: list[tuple[int, int]] = []
    pos = 0
    n = len(body)
    while pos < n:
        while pos < n and body[pos].isspace():
            pos += 1
        if pos >= n:
            break
        limit = min(n, pos + size)
        paragraph = body.find("\n\n", pos, limit)
        if paragraph != -1:
            end = paragraph
        elif limit >= n:
            end = n
        else:
            cut = max(body.rfind(". ", pos, limit), body.rfind("? ", pos, limit))
            cut = max(cut, body.rfind("! ", pos, limit))
            if cut > pos + size // 3:
                end = cut + 1
            else:
                space = body.rfind(" ", pos, limit)
                end = space if space > pos else limit
        ranges.append((pos, end))
        pos = end
    return ranges


class TagRow(NamedTuple):
    """What a document needs of an accepted tag: read as plain rows, not model instances
    (building a Tag and its Value for every tag cost more than the rest of a rebuild)."""

    theme_id: int | None
    value_id: int | None
    value_group: str | None
    start_seconds: float | None
    end_seconds: float | None
    char_start: int | None
    char_end: int | None

    @property
    def is_excerpt(self) -> bool:
        return self.start_seconds is not None or self.char_start is not None


def _tag_tokens(tag: TagRow) -> str:
    return THEME_TOKEN.format(tag.theme_id) if tag.theme_id else VALUE_TOKEN.format(tag.value_id)


def _covers(tag: TagRow, passage: PassageDoc) -> bool:
    if tag.start_seconds is not None and passage.start is not None:
        end = tag.end_seconds if tag.end_seconds is not None else tag.start_seconds
        p_end = passage.end if passage.end is not None else passage.start
        return passage.start <= end and p_end >= tag.start_seconds
    if tag.char_start is not None and passage.char_start is not None:
        end = tag.char_end if tag.char_end is not None else tag.char_start
        return passage.char_start <= end and (passage.char_end or 0) >= tag.char_start
    return False


def _among(field: str, ids: list[int]) -> Q:
    """`field` is one of `ids` (sorted): as a range where the ids lie close together, as a
    rebuild's batches do, which Django builds without a parameter per id and the database
    reads as fast; rows of other stories in the range come back too, and are passed over."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


def build_docs(story_ids: Iterable[int]) -> tuple[list[StoryDoc], list[int]]:
    """Documents for these stories, and the ids that must leave the index (withdrawn, gone)."""
    ids = sorted(set(story_ids))
    if not ids:
        return [], []
    wanted = set(ids)
    stories = {
        s.pk: s
        for s in Story.objects.filter(_among("pk", ids)).select_related("consent").order_by()
        if s.pk in wanted and s.status != "withdrawn"
    }
    gone = [i for i in ids if i not in stories]
    if not stories:
        return [], gone
    final_ids = Theme.objects.final_ids()
    tags: dict[int, list[TagRow]] = {}
    for story_id, theme_id, value_id, group, start, end, char_start, char_end in (
        Tag.objects.filter(_among("story_id", ids), status="accepted")
        .order_by("story_id", "id")
        .values_list(
            "story_id",
            "theme_id",
            "value_id",
            "value__group",
            "start_seconds",
            "end_seconds",
            "char_start",
            "char_end",
        )
    ):
        # A merged theme counts as the theme that absorbed it.
        theme_id = final_ids.get(theme_id, theme_id) if theme_id else theme_id
        row = TagRow(theme_id, value_id, group, start, end, char_start, char_end)
        tags.setdefault(story_id, []).append(row)
    segments: dict[int, list] = {}
    heard: dict[int, str] = {}  # the transcript's language, by story
    for seg in (
        Segment.objects.filter(_among("transcript__story_id", ids))
        .order_by("transcript__story_id", "index")
        .values_list(
            "transcript__story_id",
            "index",
            "start",
            "end",
            "text",
            "language",
            "transcript__language",
        )
    ):
        segments.setdefault(seg[0], []).append(seg[1:6])
        heard[seg[0]] = seg[6]
    collections: dict[int, list[int]] = {}
    # Facets name collections, so only those anyone may view (live, no view restriction).
    public_collections = CollectionPage.objects.live().public().values("pk")
    for story_id, page_id in (
        CollectionStory.objects.filter(_among("story_id", ids), page_id__in=public_collections)
        .order_by("page_id")
        .values_list("story_id", "page_id")
    ):
        collections.setdefault(story_id, []).append(page_id)

    docs = []
    for story in stories.values():
        story_tags = tags.get(story.pk, [])
        passages = _passages(
            story, segments.get(story.pk, []), story_tags, heard.get(story.pk) or story.language
        )
        docs.append(_doc(story, passages, story_tags, collections.get(story.pk, [])))
    docs.sort(key=lambda d: d.story_id)
    return docs, gone


def _passages(
    story: Story, segments: list, tags: list[TagRow], transcript_language: str
) -> list[PassageDoc]:
    passages: list[PassageDoc] = []
    languages: list[str] = []  # each passage's
    if segments:
        for index, start, end, seg_text, seg_language in segments:
            passages.append(
                PassageDoc(n=index, text=seg_text.strip(), stem="", start=start, end=end)
            )
            languages.append(seg_language or transcript_language)
    elif story.text_body:
        for n, (a, b) in enumerate(split_passages(story.text_body)):
            passages.append(
                PassageDoc(n=n, text=story.text_body[a:b], stem="", char_start=a, char_end=b)
            )
            languages.append(story.language)
    ranged = [t for t in tags if t.is_excerpt]
    for passage, language in zip(passages, languages, strict=True):
        tokens = [_tag_tokens(t) for t in ranged if _covers(t, passage)]
        stems = textmod.stem_text(passage.text, language)
        passage.stem = " ".join([stems, *dict.fromkeys(tokens)]).strip()
    return passages


def _doc(
    story: Story, passages: list[PassageDoc], tags: list[TagRow], collection_ids: list[int]
) -> StoryDoc:

    consent = story.consent
    told = story.told_on or story.created_at.date()
    value_tags = [t for t in tags if t.value_id]
    theme_ids = sorted({t.theme_id for t in tags if t.theme_id is not None})
    value_ids = sorted({t.value_id for t in value_tags if t.value_id is not None})
    tag_tokens = list(dict.fromkeys(_tag_tokens(t) for t in tags))
    title_stem = textmod.stem_text(story.title, story.language)
    summary_stem = textmod.stem_text(story.summary, story.language)
    body = " ".join(p.stem for p in passages)
    doc = StoryDoc(
        story_id=story.pk,
        title=story.title,
        summary=story.summary,
        kind=story.kind,
        language=story.language or "",
        status=story.status,
        owner_id=story.storyteller_id,
        project_id=story.project_id,
        date=told,
        year=told.year,
        published_at=story.published_at,
        value_ids=value_ids,
        value_groups=sorted({t.value_group for t in value_tags if t.value_group is not None}),
        theme_ids=theme_ids,
        collection_ids=sorted(set(collection_ids)),
        audiences=sorted(audience_markers(story)),
        consent_expires_at=consent.expires_at if consent else None,
        sealed_until=consent.sealed_until if consent else None,
        title_words=list(dict.fromkeys(textmod.words(story.title))),
        title_stem=title_stem,
        summary_stem=summary_stem,
        all_stem=" ".join(x for x in (title_stem, summary_stem, body, *tag_tokens) if x),
        passages=passages,
    )
    doc.source_hash = doc.fingerprint()
    return doc


def iter_all_story_ids(batch: int = 1000) -> Iterator[list[int]]:
    """Every story that should be in the index, in batches (for rebuilds and drift checks)."""
    last = 0
    while True:
        ids = list(
            Story.objects.exclude(status="withdrawn")
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]
