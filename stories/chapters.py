"""Chapters of a story (its segment index): who may divide a story, and the checks.

Curators divide any story the rule lets them see; a storyteller divides their own. Every change
writes the change log (`story_changed`) in its own transaction, so search and the page caches
that follow the log see it. Chapters are read through `story_parts(...).chapters`; suggestions
are `stories.chapter_suggestions`, the form both editing pages use `stories.chapter_forms`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from stories.audience import CURATOR, audience_for
from stories.changes import story_changed
from stories.models import Chapter, Segment, Story, Theme, Value
from stories.timecode import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

__all__ = ["chapter_delete", "chapter_save", "may_edit_chapters"]

NOT_YOURS = "Only curators, and the storyteller for their own story, may change its chapters."


def may_edit_chapters(user: User | None, story: Story) -> bool:
    """Curators for any story they may see; the storyteller for their own, until withdrawn."""
    if user is None or not user.is_authenticated or story.status == "withdrawn":
        return False
    if story.storyteller_id == user.pk:
        return True
    audience = audience_for(user)
    return audience.has(CURATOR) and Story.objects.visible_to(audience).filter(pk=story.pk).exists()


def _duration(story: Story) -> float | None:
    if story.media_duration:
        return float(story.media_duration)
    last = Segment.objects.filter(transcript__story=story).order_by("-end").first()
    return float(last.end) if last is not None else None


def _check(story: Story, chapter: Chapter | None, start: float, end: float | None) -> None:
    """Raise a ValidationError naming each field that is wrong, in words a person can act on."""
    errors: dict[str, str] = {}
    duration = _duration(story)
    if start < 0:
        errors["start"] = "A chapter cannot start before the recording does."
    elif duration is not None and start >= duration:
        errors["start"] = f"The recording is {clock(duration)} long: start the chapter before that."
    if end is not None:
        if end <= start:
            errors["end"] = "A chapter must end after it starts."
        elif duration is not None and end > duration + 0.5:
            errors["end"] = f"The recording is {clock(duration)} long: end the chapter by then."
    others = Chapter.objects.filter(story=story, start=start)
    if chapter is not None and chapter.pk is not None:
        others = others.exclude(pk=chapter.pk)
    if "start" not in errors and others.exists():
        errors["start"] = f"Another chapter already starts at {clock(start)}."
    if errors:
        raise ValidationError(errors)


def chapter_save(
    *,
    actor: User,
    story: Story,
    start: float,
    title: str,
    chapter: Chapter | None = None,
    end: float | None = None,
    synopsis: str = "",
    keywords: str = "",
    values: Iterable[Value] = (),
    themes: Iterable[Theme] = (),
) -> Chapter:
    """Create (`chapter` None) or change a chapter of `story`, checked and logged."""
    if not may_edit_chapters(actor, story):
        raise PermissionDenied(NOT_YOURS)
    if chapter is not None and chapter.story_id != story.pk:
        raise PermissionDenied("That chapter belongs to another story.")
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the chapter a title."})
    _check(story, chapter, start, end)
    with transaction.atomic():
        chapter = chapter or Chapter(story=story, created_by_id=actor.pk)
        chapter.start, chapter.end, chapter.title = start, end, title
        chapter.synopsis = synopsis.strip()
        chapter.keywords = ", ".join(w.strip() for w in keywords.split(",") if w.strip())
        chapter.save()
        chapter.values.set(list(values))
        chapter.themes.set([t for t in themes if t.merged_into_id is None])
        story_changed(story_ids=[story.pk])
    return chapter


def chapter_delete(*, actor: User, chapter: Chapter) -> None:
    if not may_edit_chapters(actor, chapter.story):
        raise PermissionDenied(NOT_YOURS)
    with transaction.atomic():
        story_id = chapter.story_id
        chapter.delete()
        story_changed(story_ids=[story_id])
