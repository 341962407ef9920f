from stories.models.accounts import Invitation
from stories.models.changes import StoryChange
from stories.models.chapter import Chapter
from stories.models.collection import CollectionPage, CollectionStory
from stories.models.consent import Attribution, ConsentMethod, ConsentRecord
from stories.models.events import StoryEvent
from stories.models.people import FORMER_MEMBER, Role, StorytellerProfile, display_name
from stories.models.photo import StoryPhoto
from stories.models.project import CoproductionType, Project, ProjectMembership
from stories.models.redaction import RedactedMedia, Redaction, RedactionBy, RenditionState
from stories.models.story import (
    TRANSITIONS,
    InvalidTransition,
    Story,
    StoryKind,
    StoryQuerySet,
    StoryStatus,
)
from stories.models.taxonomy import Theme, ThemeSynonym, Value, ValueGroup, follow_merges
from stories.models.transcript import (
    EditKind,
    Segment,
    SegmentRevision,
    Speaker,
    Transcript,
    TranscriptEdit,
)
from stories.models.uploads import UploadSession, UploadStatus

__all__ = [
    "FORMER_MEMBER",
    "TRANSITIONS",
    "Attribution",
    "Chapter",
    "CollectionPage",
    "CollectionStory",
    "ConsentMethod",
    "ConsentRecord",
    "CoproductionType",
    "EditKind",
    "InvalidTransition",
    "Invitation",
    "Project",
    "ProjectMembership",
    "RedactedMedia",
    "Redaction",
    "RedactionBy",
    "RenditionState",
    "Role",
    "Segment",
    "SegmentRevision",
    "Speaker",
    "Story",
    "StoryChange",
    "StoryEvent",
    "StoryKind",
    "StoryPhoto",
    "StoryQuerySet",
    "StoryStatus",
    "StorytellerProfile",
    "Theme",
    "ThemeSynonym",
    "Transcript",
    "TranscriptEdit",
    "UploadSession",
    "UploadStatus",
    "Value",
    "ValueGroup",
    "display_name",
    "follow_merges",
]
