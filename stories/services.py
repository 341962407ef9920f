"""Workflows that change stories: named functions, called from views, tasks and commands."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import (
    ConsentMethod,
    ConsentRecord,
    Project,
    Story,
    StoryKind,
    StoryPhoto,
    StoryStatus,
    Theme,
)

# Publication lives in stories.publication; `services.story_publish` keeps working.
from stories.publication import PublicationRefused as PublicationRefused
from stories.publication import story_publish as story_publish
from stories.publication import story_schedule_publication as story_schedule_publication
from stories.publication import story_unpublish as story_unpublish
from stories.storage import derived_prefix, story_storage
from stories.types import Actor, User


@transaction.atomic
def story_create(
    *,
    storyteller: User,
    title: str,
    kind: str,
    summary: str = "",
    text_body: str = "",
    language: str = "en",
    project: Project | None = None,
    told_on: datetime.date | None = None,
    uploaded_by: User | None = None,
) -> Story:
    """A new draft story. `uploaded_by` other than the storyteller records an on-behalf upload."""
    uploader = uploaded_by or storyteller
    story = Story.objects.create(
        storyteller=storyteller,
        uploaded_by=uploader,
        on_behalf=uploader.pk != storyteller.pk,
        title=title,
        kind=kind,
        summary=summary,
        text_body=text_body,
        language=language,
        project=project,
        told_on=told_on,
    )
    story_event_record(
        story_id=story.pk, action="story.created", actor=uploader, on_behalf=story.on_behalf
    )
    return story


@transaction.atomic
def consent_record(
    *,
    story: Story,
    actor: Actor,
    method: str,
    archive: bool,
    researchers: bool = False,
    public: bool = False,
    quotes_allowed: bool = False,
    attribution: str = "anonymous",
    consent_text_version: str | None = None,
    expires_at: datetime.datetime | None = None,
    sealed_until: datetime.date | None = None,
    given_at: datetime.datetime | None = None,
) -> ConsentRecord:
    """Append a consent record and make it the story's current consent.

    Anyone but the storyteller records consent only on their behalf, and the record says so.
    """
    if story.is_withdrawn:
        raise ValueError("This story was withdrawn; its consent can no longer change.")
    if actor is not None and actor.pk != story.storyteller_id and method != ConsentMethod.ON_BEHALF:
        raise PermissionDenied(
            "Only the storyteller gives consent for their story; anyone else records it on "
            "their behalf (method 'on_behalf'), so the history shows who did."
        )
    record = ConsentRecord(
        story=story,
        archive=archive,
        researchers=researchers,
        public=public,
        quotes_allowed=quotes_allowed,
        attribution=attribution,
        method=method,
        consent_text_version=consent_text_version or settings.ARCHIVE_CONSENT_TEXT_VERSION,
        given_at=given_at or timezone.now(),
        expires_at=expires_at,
        sealed_until=sealed_until,
        recorded_by=actor,
    )
    record.full_clean(exclude=["story", "recorded_by"])
    record.save()
    Story.objects.filter(pk=story.pk).update(consent=record)
    story.consent = record
    story_event_record(
        story_id=story.pk,
        action="consent.recorded",
        actor=actor,
        archive=archive,
        researchers=researchers,
        public=public,
        attribution=attribution,
    )
    story_changed(story_ids=[story.pk])
    return record


@transaction.atomic
def story_transition(*, story: Story, target: str, actor: Actor = None) -> Story:
    """Move a story along its workflow (raises InvalidTransition) and leave an audit row."""
    locked = Story.objects.select_for_update().get(pk=story.pk)
    previous = locked.status
    locked.transition_to(target)
    locked.save(update_fields=["status", "published_at", "withdrawn_at", "updated_at"])
    story.status, story.published_at, story.withdrawn_at = (
        locked.status,
        locked.published_at,
        locked.withdrawn_at,
    )
    story_event_record(story_id=story.pk, action=f"story.{target}", actor=actor, previous=previous)
    story_changed(story_ids=[story.pk])
    return story


def consent_withdraw(*, story: Story, actor: Actor) -> Story:
    """Withdrawal, the storyteller's one action: out of every audience at once.

    In one transaction: a withdrawn consent record, the status, the outbox row that takes it out
    of the search index, and a tombstone (title and content blanked, tags and transcript
    deleted). Media files are deleted after commit, so a rollback never loses a kept file.
    """
    if actor is None or actor.pk != story.storyteller_id:
        raise PermissionDenied("Only the storyteller can withdraw their story.")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.is_withdrawn:
            return story
        previous = story.consent
        record = ConsentRecord(
            story=story,
            archive=False,
            researchers=False,
            public=False,
            quotes_allowed=False,
            attribution=previous.attribution if previous else "anonymous",
            method=previous.method if previous else "written",
            consent_text_version=(
                previous.consent_text_version if previous else settings.ARCHIVE_CONSENT_TEXT_VERSION
            ),
            given_at=timezone.now(),
            withdrawn=True,
            recorded_by=actor,
        )
        record.save()
        media_name = story.media.name if story.media else ""
        story.transition_to(StoryStatus.WITHDRAWN)
        story.consent = record
        story.title = "Withdrawn story"
        story.slug = "withdrawn"
        story.summary = ""
        story.text_body = ""
        story.media = ""
        story.media_duration = None
        story.save()
        _story_content_erase(story)
        file_names = [media_name, *_delete_derived(story)]
        story_event_record(story_id=story.pk, action="consent.withdrawn", actor=actor)
        story_changed(story_ids=[story.pk])
        story_id = story.pk
        transaction.on_commit(lambda: _story_files_purge(story_id, [n for n in file_names if n]))
    return story


def _story_content_erase(story: Story) -> None:
    """Delete every row that holds the story's words, in this app or any app above it.

    A model that keeps a story's content declares `erased_on_withdrawal = True` (the transcript
    here, the coders' tags in `coding`); the domain finds them through the relations to Story,
    so it never imports the apps that build on it.
    """
    for relation in Story._meta.related_objects:
        model = relation.related_model
        if isinstance(model, type) and getattr(model, "erased_on_withdrawal", False):
            model._default_manager.filter(**{relation.field.name: story}).delete()


def _delete_derived(story: Story) -> list[str]:
    """Photos and the admin's history of the story's words.

    Returns the names of the files (in the story storage) to delete once this commits.
    """
    _admin_log_scrub(story)
    names = []
    for photo in StoryPhoto.objects.filter(story=story):
        names.append(photo.image.name)
        photo.delete()
    return names


def admin_log_label(story_id: int | str) -> str:
    """What the Wagtail admin's history calls a story: its id, never its title.

    Log entries outlive consent (they are read in the site history report and its CSV and
    XLSX exports, whatever the story's consent says now), so they never hold the story's
    words: `curation` gives every story log entry this label when it is written.
    """
    return f"Story {story_id}"


def _admin_log_scrub(story: Story) -> None:
    """The Wagtail admin's history of the story keeps who did what and when, not its words.

    Labels are neutral already (`admin_log_label`); a log entry may also hold changed field
    values, which withdrawal clears.
    """
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Story), object_id=str(story.pk)
    ).update(label=admin_log_label(story.pk), data={})


def _story_files_purge(story_id: int, names: list[str]) -> None:
    """After a withdrawal commits: delete the story's files and anything derived from them.

    Derived files (captions, renditions, caches) live under `derived/<story id>/` in the story
    storage; the whole folder goes. Cached pages or fragments may quote the story, so the
    default cache is cleared too (withdrawals are rare; leaving a copy behind is not an option).
    """
    storage = story_storage()
    for name in [*names, *_files_under(storage, derived_prefix(story_id))]:
        storage.delete(name)
    cache.clear()


def _files_under(storage: Storage, prefix: str) -> list[str]:
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [f"{prefix}{name}" for name in files]
    for folder in folders:
        found += _files_under(storage, f"{prefix}{folder}/")
    return found


def story_kind_has_media(kind: str) -> bool:
    return kind in (StoryKind.AUDIO, StoryKind.VIDEO)


def theme_resolve(*, theme: Theme) -> Theme:
    """The theme that stands for `theme` now: itself, or the theme it was merged into
    (following `Theme.objects.final_ids`, which stops on a cycle)."""
    if theme.merged_into_id is None:
        return theme
    final = Theme.objects.final_ids().get(theme.pk, theme.pk)
    return theme if final == theme.pk else Theme.objects.get(pk=final)
