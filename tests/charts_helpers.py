"""A small coded archive for the research charts' tests: stories a researcher may and may not
see, excerpts that overlap and excerpts that do not."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from coding.models import Tag
from stories.models import Story, Theme, Value
from tests.coding_helpers import recorded_story


@dataclass
class Coded:
    open: Story  # researchers may see it, quotes agreed
    unquoted: Story  # researchers may see it, no quotes
    closed: Story  # kept in the archive only: curators see it, researchers do not
    v1: Value
    v2: Value
    v3: Value
    theme: Theme


def tag(story: Story, code: Value | Theme, start: float, end: float, by=None) -> Tag:
    field = "value" if isinstance(code, Value) else "theme"
    return Tag.objects.create(
        story=story,
        **{field: code},
        start_seconds=start,
        end_seconds=end,
        created_by=by or story.storyteller,
    )


def coded_archive(make_story, coder) -> Coded:
    """Three recorded stories coded alike: v1 0-10 s overlaps v2 5-12 s and the theme 8-9 s;
    v3 20-25 s overlaps nothing; a whole-story v1 tag counts a story but no excerpt."""
    open_story = recorded_story(make_story, title="Open story")
    unquoted = recorded_story(make_story, title="Unquoted story", consent={"quotes_allowed": False})
    closed = recorded_story(
        make_story,
        title="Closed story",
        status="approved",
        consent={"researchers": False, "public": False},
    )
    v1, v2, v3 = (Value.objects.get(number=n) for n in (1, 2, 3))
    theme = Theme.objects.create(name="Shielding", slug="shielding")
    for story in (open_story, unquoted, closed):
        tag(story, v1, 0.0, 10.0, by=coder)
        tag(story, v2, 5.0, 12.0, by=coder)
        tag(story, v3, 20.0, 25.0, by=coder)
        tag(story, theme, 8.0, 9.0, by=coder)
        Tag.objects.create(story=story, value=v1, created_by=coder)  # the whole story
    Story.objects.filter(pk=open_story.pk).update(told_on=datetime.date(2021, 5, 1))
    Story.objects.filter(pk=unquoted.pk).update(told_on=datetime.date(2023, 5, 1))
    Story.objects.filter(pk=closed.pk).update(told_on=datetime.date(2023, 6, 1))
    return Coded(open_story, unquoted, closed, v1, v2, v3, theme)
