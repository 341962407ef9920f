"""Every change in the coding workspace: tags and the theme taxonomy.

Each function runs in one transaction, leaves an audit row (StoryEvent, never with the
excerpt's words, so the trail can outlive a withdrawal) and writes the search outbox row for
every story whose indexed tags or themes changed, in that same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from coding import permissions, units
from coding.models import Tag, TagStatus
from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import Story, StoryEvent, Theme, ThemeSynonym, Value
from stories.services import theme_resolve
from stories.types import Actor, User
from stories.visibility import CURATOR, Audience, audience_for


class CodingError(Exception):
    """A change that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class Excerpt:
    """Where a tag points: a time range (audio, video), a character range (text), or neither."""

    start_seconds: float | None = None
    end_seconds: float | None = None
    char_start: int | None = None
    char_end: int | None = None

    @classmethod
    def times(cls, start: float, end: float) -> Excerpt:
        return cls(start_seconds=float(start), end_seconds=float(end))

    @classmethod
    def chars(cls, start: int, end: int) -> Excerpt:
        return cls(char_start=int(start), char_end=int(end))


Code = Value | Theme
_KEEP = object()


# --- tags -----------------------------------------------------------------------------------


def _code_fields(code: Code) -> dict:
    if isinstance(code, Value):
        return {"value": code, "theme": None}
    if isinstance(code, Theme):
        return {"value": None, "theme": theme_resolve(theme=code)}
    raise TypeError(f"A tag links to a Value or a Theme, not {type(code).__name__}.")


def _excerpt_fields(story: Story, excerpt: Excerpt | None) -> dict:
    """The stored range of `excerpt`, snapped to whole words for audio and video.

    Its words are not stored: `Tag.quote` reads them from the story when shown."""
    none = {
        "start_seconds": None,
        "end_seconds": None,
        "char_start": None,
        "char_end": None,
    }
    if excerpt is None or (excerpt.start_seconds is None and excerpt.char_start is None):
        return none
    if story.has_media:
        if excerpt.start_seconds is None or excerpt.end_seconds is None:
            raise CodingError(
                "An excerpt of an audio or video story is a time range: choose the segment it "
                "starts on and the segment it ends on."
            )
        segments = units.story_units(story)
        if not segments:
            raise CodingError(
                "This story has no transcript yet, so there are no segments to choose from. "
                "Tag the whole story for now, or come back when the transcript is ready."
            )
        # Exactly the words the range takes in, from the first one's start to the last one's
        # end: a redaction mark is one word, so an excerpt never starts inside what it hides.
        snapped = units.snap_to_words(segments, excerpt.start_seconds, excerpt.end_seconds)
        if snapped is None:
            raise CodingError(
                "That stretch of the recording has no words in it: select the words the "
                "excerpt should hold."
            )
        return {**none, "start_seconds": snapped[0], "end_seconds": snapped[1]}
    if excerpt.char_start is None or excerpt.char_end is None:
        raise CodingError(
            "An excerpt of a text story is a stretch of its text: select the words, or choose "
            "the sentence it starts on and the sentence it ends on."
        )
    text = story.text_body
    start, end = sorted((excerpt.char_start, excerpt.char_end))
    if start < 0 or end > len(text):
        raise CodingError(
            "The selection lies outside the story's text (the text may have changed). Reload "
            "the page and select the words again."
        )
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # Whole words: a selection that starts or ends inside a word takes all of it.
    while 0 < start < end and not text[start - 1].isspace():
        start -= 1
    while start < end < len(text) and not text[end].isspace():
        end += 1
    if start == end:
        raise CodingError("The selection has no words in it. Select some text and try again.")
    return {**none, "char_start": start, "char_end": end}


def _range_data(tag: Tag) -> dict:
    """What the audit trail keeps of a tag: never its words."""
    return {
        "tag": tag.pk,
        "value": tag.value.slug if tag.value_id and tag.value else None,
        "theme": tag.theme.slug if tag.theme_id and tag.theme else None,
        "start_seconds": tag.start_seconds,
        "end_seconds": tag.end_seconds,
        "char_start": tag.char_start,
        "char_end": tag.char_end,
        "status": tag.status,
    }


def _refuse_duplicate(
    story: Story, fields: dict, actor: Actor, *, exclude: int | None = None
) -> None:
    same = Tag.objects.filter(
        story=story,
        created_by=actor,
        status__in=[TagStatus.ACCEPTED, TagStatus.PROPOSED],
        **fields,
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        code = fields["value"] or fields["theme"]
        excerpt = fields["start_seconds"] is not None or fields["char_start"] is not None
        raise CodingError(
            f"You have already tagged this {'excerpt' if excerpt else 'story'} with "
            f"“{code}”. Edit that tag instead, or choose another value or theme."
        )


def _new_tag(
    *, story: Story, actor: Actor, code: Code, excerpt: Excerpt | None, memo: str, status: str
) -> Tag:
    fields = {**_code_fields(code), **_excerpt_fields(story, excerpt)}
    _refuse_duplicate(story, fields, actor)
    tag = Tag.objects.create(
        story=story, memo=memo.strip(), status=status, created_by=actor, updated_by=actor, **fields
    )
    action = "tag.proposed" if status == TagStatus.PROPOSED else "tag.created"
    story_event_record(story_id=story.pk, action=action, actor=actor, **_range_data(tag))
    story_changed(story_ids=[story.pk])
    return tag


@transaction.atomic
def tag_create(
    *, story: Story, actor: Actor, code: Code, excerpt: Excerpt | None = None, memo: str = ""
) -> Tag:
    """A coder's tag on `story` (or an excerpt of it); it counts at once."""
    if not permissions.can_code(audience_for(actor), story):
        raise PermissionDenied(
            "You cannot code this story: coding is open to contributors, researchers and "
            "curators who can see the story, where the storyteller agreed to keep it in the "
            "archive."
        )
    return _new_tag(
        story=story, actor=actor, code=code, excerpt=excerpt, memo=memo, status=TagStatus.ACCEPTED
    )


@transaction.atomic
def tag_adopt(*, tag: Tag, actor: User) -> Tag:
    """`actor` agrees with another coder's tag: their own tag with the same code and span (the
    memo stays the other coder's). It counts at once, and in agreement, as theirs."""
    if tag.status != TagStatus.ACCEPTED:
        raise CodingError("Only an accepted tag can be adopted; review the proposal instead.")
    if tag.created_by_id == actor.pk:
        raise CodingError("This tag is already yours.")
    excerpt = None
    if tag.start_seconds is not None and tag.end_seconds is not None:
        excerpt = Excerpt.times(tag.start_seconds, tag.end_seconds)
    elif tag.char_start is not None and tag.char_end is not None:
        excerpt = Excerpt.chars(tag.char_start, tag.char_end)
    return tag_create(story=tag.story, actor=actor, code=tag.code, excerpt=excerpt)


@transaction.atomic
def tag_propose(
    *, story: Story, actor: Actor, code: Code, excerpt: Excerpt | None = None, memo: str = ""
) -> Tag:
    """The storyteller suggests a tag for their own story; a contributor accepts or declines."""
    if not permissions.is_storyteller_of(audience_for(actor), story) or story.is_withdrawn:
        raise PermissionDenied("Only the storyteller can propose tags for their own story.")
    return _new_tag(
        story=story, actor=actor, code=code, excerpt=excerpt, memo=memo, status=TagStatus.PROPOSED
    )


@transaction.atomic
def tag_import_proposal(
    *, story: Story, actor: Actor, code: Code, excerpt: Excerpt | None = None, memo: str = ""
) -> Tag | None:
    """A coding read from a REFI-QDA project, proposed for a curator to review; None where the
    story already has this code on this range (accepted or waiting), from anyone."""
    audience = audience_for(actor)
    if not audience.has(CURATOR) or not permissions.can_code(audience, story):
        raise PermissionDenied("Only curators who can code the story import codings into it.")
    fields = {**_code_fields(code), **_excerpt_fields(story, excerpt)}
    if Tag.objects.filter(
        story=story, status__in=[TagStatus.ACCEPTED, TagStatus.PROPOSED], **fields
    ).exists():
        return None
    return _new_tag(
        story=story, actor=actor, code=code, excerpt=excerpt, memo=memo, status=TagStatus.PROPOSED
    )


@transaction.atomic
def tags_add(
    *,
    story: Story,
    actor: Actor,
    codes: Sequence[Code],
    excerpt: Excerpt | None = None,
    memo: str = "",
) -> list[Tag]:
    """One tag per code on the same excerpt: coded by a coder, proposed by the storyteller."""
    if not codes:
        raise CodingError("Choose at least one value or theme for the tag.")
    audience = audience_for(actor)
    if permissions.can_code(audience, story):
        make = tag_create
    elif permissions.is_storyteller_of(audience, story):
        make = tag_propose
    else:
        raise PermissionDenied(
            "You cannot tag this story. Contributors, researchers and curators code stories "
            "they can see; storytellers propose tags for their own stories."
        )
    return [make(story=story, actor=actor, code=c, excerpt=excerpt, memo=memo) for c in codes]


def _lock(tag: Tag) -> Tag:
    return (
        Tag.objects.select_for_update(of=("self",))
        .select_related("story", "value", "theme")
        .get(pk=tag.pk)
    )


@transaction.atomic
def tag_update(
    *,
    tag: Tag,
    actor: Actor,
    code: Code | None = None,
    excerpt: Excerpt | object | None = _KEEP,
    memo: str | None = None,
) -> Tag:
    """Change a tag's code, excerpt or memo (only its maker, or a curator)."""
    tag = _lock(tag)
    if not permissions.can_change_tag(audience_for(actor), tag):
        raise PermissionDenied(
            "Only the person who made this tag (or a curator) can change it. Add your own tag "
            "instead: differences between coders are worth talking about."
        )
    fields: dict = {}
    if code is not None:
        fields.update(_code_fields(code))
    if excerpt is not _KEEP:
        fields.update(_excerpt_fields(tag.story, cast("Excerpt | None", excerpt)))
    if memo is not None:
        fields["memo"] = memo.strip()
    for name, value in fields.items():
        setattr(tag, name, value)
    key = {
        "value": tag.value,
        "theme": tag.theme,
        "start_seconds": tag.start_seconds,
        "end_seconds": tag.end_seconds,
        "char_start": tag.char_start,
        "char_end": tag.char_end,
    }
    _refuse_duplicate(tag.story, key, tag.created_by, exclude=tag.pk)
    tag.updated_by = actor
    tag.save()
    story_event_record(story_id=tag.story_id, action="tag.updated", actor=actor, **_range_data(tag))
    story_changed(story_ids=[tag.story_id])
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, actor: Actor) -> None:
    """Remove a tag; the audit trail keeps that it existed, who removed it and when."""
    tag = _lock(tag)
    if not permissions.can_change_tag(audience_for(actor), tag):
        raise PermissionDenied("Only the person who made this tag (or a curator) can remove it.")
    data = _range_data(tag)
    story_id = tag.story_id
    tag.delete()
    story_event_record(story_id=story_id, action="tag.deleted", actor=actor, **data)
    story_changed(story_ids=[story_id])


def _review(tag: Tag, actor: Actor, status: str, note: str) -> Tag:
    tag = _lock(tag)
    if not permissions.can_review(audience_for(actor), tag.story):
        raise PermissionDenied(
            "Only contributors and curators who can code this story review the storyteller's "
            "proposals."
        )
    if tag.status != TagStatus.PROPOSED:
        raise CodingError(
            f"This tag is already {TagStatus(tag.status).label.lower()}; there is nothing left "
            "to review."
        )
    tag.status = status
    tag.reviewed_by = actor
    tag.reviewed_at = timezone.now()
    tag.review_note = note.strip()
    tag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    action = "tag.accepted" if status == TagStatus.ACCEPTED else "tag.declined"
    story_event_record(story_id=tag.story_id, action=action, actor=actor, **_range_data(tag))
    story_changed(story_ids=[tag.story_id])
    return tag


@transaction.atomic
def tag_accept(*, tag: Tag, actor: Actor, note: str = "") -> Tag:
    """A storyteller's proposal becomes a tag like any other (still credited to them)."""
    return _review(tag, actor, TagStatus.ACCEPTED, note)


@transaction.atomic
def tag_decline(*, tag: Tag, actor: Actor, note: str = "") -> Tag:
    """The proposal is kept, declined, with the reviewer's note for the storyteller."""
    return _review(tag, actor, TagStatus.DECLINED, note)


# --- themes ---------------------------------------------------------------------------------


def _stories_tagged_with(themes: Iterable[Theme]) -> set[int]:
    return set(
        Tag.objects.filter(theme__in=[t.pk for t in themes]).values_list("story_id", flat=True)
    )


def theme_stories_changed(*, themes: Iterable[Theme]) -> set[int]:
    """Write outbox rows for every story tagged with `themes` (their names or synonyms changed)."""
    story_ids = _stories_tagged_with(themes)
    if story_ids:
        story_changed(story_ids=story_ids)
    return story_ids


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise CodingError("A theme needs a name.")
    if len(name) > 255:
        raise CodingError("Theme names are at most 255 characters; choose a shorter name.")
    return name


def _unique_slug(name: str, *, exclude: int | None = None) -> str:
    base = slugify(name)[:240] or "theme"
    slug, n = base, 2
    taken = Theme.objects.exclude(pk=exclude) if exclude else Theme.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _refuse_taken_name(name: str, *, exclude: int | None = None) -> None:
    clash = Theme.objects.active().filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise CodingError(
            f"There is already a theme called “{name}”. Use it, or merge the two themes."
        )


def _descendants(theme: Theme) -> set[int]:
    found: set[int] = set()
    frontier = {theme.pk}
    while frontier:
        frontier = (
            set(Theme.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        )
        found |= frontier
    return found


def _check_parent(theme: Theme | None, parent: Theme | None) -> None:
    if parent is None:
        return
    if parent.merged_into_id is not None:
        raise CodingError(
            f"“{parent}” was merged into another theme; choose “{parent.merged_into}” instead."
        )
    if (
        theme is not None
        and theme.pk is not None
        and (parent.pk == theme.pk or parent.pk in _descendants(theme))
    ):
        raise CodingError(
            f"“{theme}” cannot sit under “{parent}”: that would put it inside itself."
        )


def theme_parent_check(*, theme: Theme | None, parent: Theme | None) -> None:
    """Raise CodingError when `parent` cannot hold `theme` (merged, itself, or inside it)."""
    _check_parent(theme, parent)


@transaction.atomic
def theme_create(
    *,
    name: str,
    actor: Actor = None,
    parent: Theme | None = None,
    description: str = "",
    synonyms: Iterable[str] = (),
) -> Theme:
    name = _clean_name(name)
    _refuse_taken_name(name)
    _check_parent(None, parent)
    theme = Theme.objects.create(
        name=name, slug=_unique_slug(name), parent=parent, description=description.strip()
    )
    for synonym in synonyms:
        theme_synonym_add(theme=theme, name=synonym, actor=actor)
    return theme


@transaction.atomic
def theme_rename(
    *, theme: Theme, name: str, actor: Actor = None, keep_old_name: bool = True
) -> Theme:
    """A new name; the old one stays as a synonym (so searches for it still find the stories).

    The slug does not change, so links to the theme keep working.
    """
    name = _clean_name(name)
    _refuse_taken_name(name, exclude=theme.pk)
    old = theme.name
    theme.name = name
    theme.save(update_fields=["name"])
    if keep_old_name and old.casefold() != name.casefold():
        _synonym_add(theme, old)
    theme.synonyms.filter(name__iexact=name).delete()
    theme_stories_changed(themes=[theme])
    return theme


@transaction.atomic
def theme_changed(*, theme: Theme, old_name: str = "", actor: Actor = None) -> set[int]:
    """After an edit made elsewhere (the admin form): keep a replaced name as a synonym and
    write outbox rows for the stories tagged with the theme."""
    if old_name and old_name.casefold() != theme.name.casefold():
        _synonym_add(theme, old_name)
    return theme_stories_changed(themes=[theme])


@transaction.atomic
def theme_move(*, theme: Theme, parent: Theme | None, actor: Actor = None) -> Theme:
    """Nest `theme` under `parent` (None: a top-level theme)."""
    _check_parent(theme, parent)
    theme.parent = parent
    theme.save(update_fields=["parent"])
    subtree = [theme, *Theme.objects.filter(pk__in=_descendants(theme))]
    theme_stories_changed(themes=subtree)
    return theme


def _synonym_add(theme: Theme, name: str) -> ThemeSynonym | None:
    name = _clean_name(name)
    if name.casefold() == theme.name.casefold():
        return None
    existing = theme.synonyms.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    last = theme.synonyms.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return ThemeSynonym.objects.create(
        theme=theme, name=name, sort_order=(last or 0) + 1 if last is not None else 0
    )


@transaction.atomic
def theme_synonym_add(*, theme: Theme, name: str, actor: Actor = None) -> ThemeSynonym | None:
    """Another word people use for the theme (search expands it); None if it is the name."""
    synonym = _synonym_add(theme, name)
    theme_stories_changed(themes=[theme])
    return synonym


@transaction.atomic
def theme_synonym_remove(*, theme: Theme, name: str, actor: Actor = None) -> int:
    deleted, _ = theme.synonyms.filter(name__iexact=name.strip()).delete()
    if deleted:
        theme_stories_changed(themes=[theme])
    return deleted


@dataclass(frozen=True)
class ThemeMergeResult:
    source: Theme
    target: Theme
    moved: int  # tags that now point at the target
    collapsed: int  # tags that were the same as one the target had (their memos kept)
    synonyms_moved: int
    story_ids: frozenset[int] = field(default_factory=frozenset)


def _tag_key(tag: Tag) -> tuple:
    return (
        tag.story_id,
        tag.created_by_id,
        tag.status,
        tag.start_seconds,
        tag.end_seconds,
        tag.char_start,
        tag.char_end,
    )


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme, actor: Actor = None) -> ThemeMergeResult:
    """Fold `source` into `target`: nothing is lost, and search follows.

    Every tag of the source moves to the target; a tag that would then be the same as one the
    target already has (same story, coder, status and range) collapses into it, its memo
    appended. The source's synonyms move, its name becomes a synonym of the target, its child
    themes move under the target, and the source keeps its row with `merged_into` pointing at
    the target (so old links and old exports can be followed). Outbox rows are written for
    every story tagged with either theme.
    """
    if source.pk == target.pk:
        raise CodingError("Choose two different themes: a theme cannot be merged into itself.")
    locked = {
        t.pk: t for t in Theme.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id is not None:
        raise CodingError(
            f"“{source}” was already merged into “{source.merged_into}”; there is nothing left "
            "to merge."
        )
    if target.merged_into_id is not None:
        raise CodingError(
            f"“{target}” was itself merged into “{target.merged_into}”. Merge into that theme "
            "instead."
        )
    story_ids = _stories_tagged_with([source, target])

    source_tags = list(Tag.objects.select_for_update().filter(theme=source).order_by("id"))
    kept = {
        _tag_key(t): t
        for t in Tag.objects.select_for_update().filter(
            theme=target, story_id__in={t.story_id for t in source_tags}
        )
    }
    moved: list[int] = []
    collapsed: list[int] = []
    memo_changed: dict[int, Tag] = {}
    for tag in source_tags:
        twin = kept.get(_tag_key(tag))
        if twin is None:
            moved.append(tag.pk)
            kept[_tag_key(tag)] = tag
            continue
        collapsed.append(tag.pk)
        if tag.memo and tag.memo not in twin.memo:
            twin.memo = f"{twin.memo}\n\n{tag.memo}" if twin.memo else tag.memo
            memo_changed[twin.pk] = twin
    now = timezone.now()
    Tag.objects.filter(pk__in=moved).update(theme=target, updated_at=now)
    for twin in memo_changed.values():
        Tag.objects.filter(pk=twin.pk).update(memo=twin.memo, updated_at=now)
    Tag.objects.filter(pk__in=collapsed).delete()

    synonyms_moved = 0
    taken = {target.name.casefold(), *(s.casefold() for s in target.synonym_names)}
    for synonym in list(source.synonyms.all()):
        if synonym.name.casefold() in taken:
            synonym.delete()
            continue
        _synonym_add(target, synonym.name)
        synonym.delete()
        taken.add(synonym.name.casefold())
        synonyms_moved += 1
    if source.name.casefold() not in taken:
        _synonym_add(target, source.name)

    Theme.objects.filter(parent=source).exclude(pk=target.pk).update(parent=target)
    if target.parent_id == source.pk:
        target.parent_id = source.parent_id
        target.save(update_fields=["parent"])
    Theme.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.merged_at = now
    source.save(update_fields=["merged_into", "merged_at"])

    data = {
        "source": source.slug,
        "target": target.slug,
        "moved": len(moved),
        "collapsed": len(collapsed),
    }
    actor_id = actor.pk if actor is not None else None
    StoryEvent.objects.bulk_create(
        StoryEvent(story_id=sid, action="theme.merged", actor_id=actor_id, data=data)
        for sid in sorted(story_ids)
    )
    if story_ids:
        story_changed(story_ids=story_ids)
    return ThemeMergeResult(
        source=source,
        target=target,
        moved=len(moved),
        collapsed=len(collapsed),
        synonyms_moved=synonyms_moved,
        story_ids=frozenset(story_ids),
    )


def theme_merge_preview(*, source: Theme, target: Theme, audience: Audience) -> dict:
    """What a merge would do, for the confirmation screen (reads only).

    Counts only the tags on stories `audience` may see (the one visibility rule). The merge
    moves every tag of the theme, so `others` says whether tags on stories they may not see
    move too, without saying how many or where.
    """
    tags = Tag.objects.filter(theme=source)
    seen = tags.on_visible_stories(audience)
    return {
        "tags": seen.count(),
        "stories": seen.values("story").distinct().count(),
        "others": tags.exclude(pk__in=seen.values("pk")).exists(),
        "synonyms": source.synonyms.count(),
        "children": Theme.objects.filter(parent=source).exclude(pk=target.pk).count(),
    }
