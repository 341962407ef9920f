"""Helpers for the public-site tests: stories with transcripts and tags, collections, images."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from wagtail.images.models import Image

from coding.models import Tag
from public.models import ArchiveIndexPage, HomePage
from stories.changes import story_changed
from stories.models import (
    CollectionPage,
    CollectionStory,
    Project,
    Segment,
    Story,
    Theme,
    Transcript,
    Value,
)
from transcribe.formats import parse_vtt

DEMO = Path(__file__).resolve().parent.parent / "public" / "demo"
RECORDING = DEMO / "tuesday-coffee-mornings.ogg"
VIDEO = DEMO / "cooking-with-my-grandmother.webm"


def cues_of(media: Path):
    return parse_vtt(media.with_suffix(".vtt").read_bytes())


def attach_recording(story: Story, media: Path = RECORDING) -> Story:
    """Give `story` a real recording and its transcript (the committed demo speech)."""
    cues = cues_of(media)
    with media.open("rb") as handle:
        story.media.save(media.name, File(handle), save=False)
    story.media_duration = cues[-1].end + 0.45
    story.save(update_fields=["media", "media_duration"])
    transcript = Transcript.objects.create(story=story, language="en", engine="import")
    Segment.objects.bulk_create(
        Segment(transcript=transcript, index=i, start=c.start, end=c.end, text=c.text)
        for i, c in enumerate(cues)
    )
    return story


def timed_words(text: str, start: float, end: float) -> list[dict]:
    """Words as the engine stores them: one timing each, in order, spread over the line."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    return [
        {"start": start + i * step, "end": start + (i + 1) * step, "text": t, "probability": 0.9}
        for i, t in enumerate(tokens)
    ]


def say_first(story: Story, text: str) -> Story:
    """The story's first transcript line now says `text`, with the engine's word timings."""
    first = Segment.objects.get(transcript__story=story, index=0)
    first.text = text
    first.words = timed_words(text, first.start, first.end)
    first.save()
    return story


def tag(
    story: Story, *, value: Value | None = None, theme: Theme | None = None, **extra
) -> list[Tag]:
    """An accepted tag for each term given (a tag links one value or one theme)."""
    made = [
        Tag.objects.create(story=story, **{kind: term}, **extra)
        for kind, term in (("value", value), ("theme", theme))
        if term is not None
    ]
    story_changed(story_ids=[story.pk])
    return made


def home() -> HomePage:
    return HomePage.objects.get()


def archive_index() -> ArchiveIndexPage:
    return ArchiveIndexPage.objects.get()


def image(title: str = "Garden", description: str = "Allotment beds below green hills.") -> Image:
    with (DEMO / "after-lockdown.jpg").open("rb") as handle:
        made = Image(title=title, description=description)
        made.file.save("garden.jpg", File(handle), save=False)
        made.save()
    return made


def collection(
    stories, *, title: str = "After lockdown", picture: Image | None = None, project=None
) -> CollectionPage:
    page = CollectionPage(
        title=title,
        introduction="<p>Stories of finding each other again.</p>",
        image=picture,
        project=project,
    )
    home().add_child(instance=page)
    for order, story in enumerate(stories):
        CollectionStory.objects.create(page=page, story=story, sort_order=order)
    page.save_revision().publish()
    return page


def value(slug: str = "building-relationships") -> Value:
    return Value.objects.get(slug=slug)


def theme(name: str = "Isolation") -> Theme:
    return Theme.objects.get_or_create(name=name)[0]


def project_of(story: Story) -> Project:
    return story.project


def build_public_archive(make_story, storyteller) -> dict:
    """One of each public page type: the addresses a visitor would walk through."""
    from stories import services
    from stories.models import StoryKind

    audio = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    attach_recording(audio)
    cue = cues_of(RECORDING)[3]
    tag(audio, theme=theme(), value=value())
    tag(audio, value=value(), start_seconds=cue.start, end_seconds=cue.end)
    video = make_story(title="Cooking with my grandmother", kind=StoryKind.VIDEO, text="")
    attach_recording(video, VIDEO)
    tag(video, theme=theme("Generations together"), value=value("learning"))
    text = make_story(
        title="The garden group",
        text="When the lockdown ended I did not know my neighbours.\n\nWe built a garden.",
        consent={"attribution": "named"},
    )
    tag(text, theme=theme(), value=value())
    gone = make_story(title="Taken back")
    gone_address = _story_address(gone)
    services.consent_withdraw(story=gone, actor=storyteller)
    page = collection([audio, text, video], picture=image())
    return {
        "home": "/",
        "archive index": archive_index().url,
        "collection": page.url,
        "audio story": _story_address(audio),
        "video story": _story_address(video),
        "text story": _story_address(text),
        "value": _link("value_url", value()),
        "theme": _link("theme_url", theme()),
        "project": _link("project_url", audio.project),
        "withdrawn story": gone_address,
        "missing page": "/no-such-page/",
    }


def _story_address(story) -> str:
    return _link("story_url", story)


def _link(name: str, thing) -> str:
    from public import links

    return getattr(links, name)(thing)
