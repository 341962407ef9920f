"""The story's audit trail: who did what, and when (never the story's words)."""

from __future__ import annotations

from typing import Any

from stories.models import StoryEvent


def story_event_record(*, story_id: int, action: str, actor: Any = None, **data: Any) -> StoryEvent:
    """Leave an audit row; `data` holds ids and choices, never quotes of the story."""
    return StoryEvent.objects.create(story_id=story_id, action=action, actor=actor, data=data)
