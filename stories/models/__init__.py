from stories.models.collection import CollectionPage, CollectionStory
from stories.models.consent import Attribution, ConsentMethod, ConsentRecord
from stories.models.events import StoryEvent
from stories.models.people import Role, StorytellerProfile
from stories.models.project import CoproductionType, Project, ProjectMembership
from stories.models.story import (
    TRANSITIONS,
    InvalidTransition,
    Story,
    StoryKind,
    StoryQuerySet,
    StoryStatus,
)
from stories.models.tagging import Tag, TagStatus
from stories.models.taxonomy import Theme, ThemeSynonym, Value, ValueGroup

__all__ = [
    "TRANSITIONS",
    "Attribution",
    "CollectionPage",
    "CollectionStory",
    "ConsentMethod",
    "ConsentRecord",
    "CoproductionType",
    "InvalidTransition",
    "Project",
    "ProjectMembership",
    "Role",
    "Story",
    "StoryEvent",
    "StoryKind",
    "StoryQuerySet",
    "StoryStatus",
    "StorytellerProfile",
    "Tag",
    "TagStatus",
    "Theme",
    "ThemeSynonym",
    "Value",
    "ValueGroup",
]
