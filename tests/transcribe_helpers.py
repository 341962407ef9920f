"""Shared set-up for the transcription job tests: stories with real recordings."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.files import File
from django.db import transaction

from stories import services
from stories.models import ConsentMethod, Story, StoryKind, StoryStatus
from transcribe.services import transcription_enqueue


def story_with_media(storyteller, recording: Path, *, title: str = "The coffee morning") -> Story:
    """A story whose recording was just stored: uploaded, consented, transcription queued.

    Everything happens in one transaction, as in the upload service.
    """
    with transaction.atomic():
        story = services.story_create(storyteller=storyteller, title=title, kind=StoryKind.AUDIO)
        services.consent_record(
            story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True
        )
        with open(recording, "rb") as f:
            story.media.save(f"{uuid.uuid4().hex}{recording.suffix}", File(f), save=True)
        services.story_transition(story=story, target=StoryStatus.UPLOADED, actor=storyteller)
        transcription_enqueue(story=story, actor=storyteller)
    return story
