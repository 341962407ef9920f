"""Helpers for the coding workspace tests: recorded stories with transcripts, second coders."""

from __future__ import annotations

from stories.models import ProjectMembership, Segment, StoryKind, Transcript
from tests.conftest import make_user

SEGMENTS = [
    (0.0, 4.0, "We started meeting in the church hall."),
    (4.0, 9.5, "Nobody asked us what we needed at first."),
    (9.5, 15.0, "Then the council came and listened."),
    (15.0, 21.0, "We wrote the plan together, line by line."),
    (21.0, 26.0, "Some of us were shielding and joined by phone."),
    (26.0, 30.0, "It felt like our town again."),
]


def add_transcript(story, segments=SEGMENTS) -> Transcript:
    transcript = Transcript.objects.create(story=story, language="en", engine="import")
    for index, (start, end, text) in enumerate(segments):
        Segment.objects.create(
            transcript=transcript, index=index, start=start, end=end, text=f" {text}"
        )
    return transcript


def recorded_story(make_story, *, segments=SEGMENTS, kind=StoryKind.AUDIO, **kwargs):
    """An audio (or video) story with an imported transcript."""
    story = make_story(kind=kind, text="", **kwargs)
    add_transcript(story, segments)
    return story


def second_contributor(django_user_model, project, username: str = "cora"):
    user = make_user(django_user_model, username, "contributor")
    ProjectMembership.objects.create(project=project, user=user, role="contributor")
    return user
