"""Resumable uploads of story media, and the one service that turns a submission into a story.

A file arrives either as a plain multipart form field (small files, no JavaScript) or in chunks
(with JavaScript): each chunk is appended at its offset to a partial file beside the story
storage, keyed by an UploadSession, so an interrupted upload resumes where the server says it
stopped. Bytes are copied in small blocks from the request stream: memory stays flat whatever
the size. When the last byte is in, the content is checked by decoding it (never by its name),
and the file kept is rebuilt from its decoded sound and picture alone (no byte of the upload is
copied: not its metadata, nor anything hidden before or after the media); it waits, ready, to
be attached to a story.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from stories import services
from stories.accounts import storytellers_for
from stories.audit import story_event_record
from stories.models import (
    ConsentMethod,
    Project,
    Story,
    StoryKind,
    StoryStatus,
    UploadSession,
    UploadStatus,
)
from stories.photos import story_photo_attach
from stories.types import Actor, User
from transcribe.errors import MediaError
from transcribe.services import transcription_enqueue

BLOCK = 64 * 1024  # bytes read from the request at a time

# FFmpeg demuxer name -> the suffix (and so the muxer) the rebuilt sound is written with.
# Every video is rebuilt as MP4 (H.264 and AAC), which every browser plays.
_SUFFIXES = {
    "wav": ".wav",
    "mp3": ".mp3",
    "flac": ".flac",
    "aac": ".aac",
    "ogg": ".ogg",
}


class UploadRefused(Exception):
    """A file we will not keep; the message says why and what to do."""


class UploadOffsetMismatch(UploadRefused):
    """The client sent a chunk for another offset than the one the server has reached."""

    def __init__(self, received: int) -> None:
        self.received = received
        super().__init__(f"The server has {received} bytes of this file; send the rest from there.")


class ReadableStream(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _human(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def _temp_dir() -> Path:
    path = Path(settings.ARCHIVE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(session: UploadSession) -> Path:
    return _temp_dir() / f"{session.pk}.part"


def ready_path(session: UploadSession) -> Path:
    return _temp_dir() / f"{session.pk}.ready{session.suffix}"


def upload_size_check(*, filename: str, size: int) -> None:
    """Refuse empty and oversized files before a byte is sent."""
    if size <= 0:
        raise UploadRefused(
            f"{filename} is empty (0 bytes). Choose the recording again; if it plays on your "
            "device, save or export it again from the app that made it."
        )
    limit = settings.ARCHIVE_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadRefused(
            f"{filename} is {_human(size)}, more than the {_human(limit)} a story can be. "
            "Export it at a lower quality (for example as MP3 or M4A) or split it into parts."
        )


def upload_session_start(
    *, owner: User, filename: str, size: int, sha256: str = ""
) -> UploadSession:
    """Open a resumable upload of `size` bytes."""
    filename = Path(filename or "The file").name[:255]
    upload_size_check(filename=filename, size=size)
    session = UploadSession.objects.create(
        owner=owner, filename=filename, expected_size=size, sha256=sha256.lower()[:64]
    )
    partial_path(session).touch()
    return session


def upload_chunk_append(
    *, session: UploadSession, offset: int, stream: ReadableStream, length: int
) -> UploadSession:
    """Append `length` bytes read from `stream` at `offset`; returns the session as it now is.

    The stream is read in blocks of at most 64 KiB and written straight to the partial file:
    a chunk is never held whole in memory. If the client's connection drops mid-chunk, what
    arrived is kept and the session's offset says where to resume.
    """
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != UploadStatus.RECEIVING:
            raise UploadRefused(
                "This upload is already finished. Start a new upload to send another file."
            )
        if offset != locked.received_bytes:
            raise UploadOffsetMismatch(locked.received_bytes)
        if length < 0 or offset + length > locked.expected_size:
            raise UploadRefused(
                f"This chunk goes past the end of the file ({_human(locked.expected_size)} "
                "announced). Start the upload again."
            )
        written = 0
        with open(partial_path(locked), "r+b") as out:
            # Anything past the recorded offset is from a write that was never confirmed.
            out.truncate(offset)
            out.seek(offset)
            while written < length:
                block = stream.read(min(BLOCK, length - written))
                if not block:
                    break  # the connection dropped: keep what came
                out.write(block)
                written += len(block)
        locked.received_bytes = offset + written
        locked.save(update_fields=["received_bytes", "updated_at"])
    session.received_bytes, session.status = locked.received_bytes, locked.status
    return session


@dataclass(frozen=True)
class CheckedMedia:
    kind: str
    duration: float
    suffix: str


def media_check_and_strip(src: Path, dst_stem: Path, *, filename: str) -> tuple[Path, CheckedMedia]:
    """Decode a probe of `src` (type by content), then rebuild it from its decoded streams.

    Returns the stripped copy's path (`dst_stem` plus the suffix its format needs) and what
    was found. Raises UploadRefused with the transcription library's own explanation.
    """
    # PyAV and numpy load on the first upload, not when the archive starts.
    from transcribe.media import probe, strip_metadata

    try:
        info = probe(src)
    except MediaError as exc:
        raise UploadRefused(str(exc).replace(src.name, filename)) from exc
    suffix = _suffix_for(info)
    if suffix is None:
        raise UploadRefused(
            f"{filename} is a recording we can play but cannot store safely (its format, "
            f"{info.container}, cannot be cleaned of personal details). Export it as MP3, M4A, "
            "WAV or MP4 and upload that."
        )
    dst = dst_stem.with_name(dst_stem.name + suffix)
    try:
        strip_metadata(src, dst)
    except MediaError as exc:
        dst.unlink(missing_ok=True)
        raise UploadRefused(str(exc).replace(src.name, filename)) from exc
    kind = StoryKind.VIDEO if info.has_video else StoryKind.AUDIO
    return dst, CheckedMedia(kind=kind, duration=info.duration, suffix=suffix)


def _suffix_for(info: Any) -> str | None:
    container = info.container
    known = container in _SUFFIXES or container.startswith(("mov,mp4", "matroska"))
    if not known:
        return None
    if info.has_video:
        return ".mp4"
    if container in _SUFFIXES:
        return _SUFFIXES[container]
    return ".m4a" if container.startswith("mov,mp4") else ".webm"


def upload_session_finish(*, session: UploadSession) -> UploadSession:
    """All bytes are in: check the content, strip its metadata, mark the session ready.

    On refusal the session is marked failed with the reason, its files are deleted, and
    UploadRefused is raised.
    """
    session.refresh_from_db()
    if session.status == UploadStatus.READY:
        return session
    if session.status != UploadStatus.RECEIVING:
        raise UploadRefused(
            session.error or "This upload cannot be used again. Upload the file anew."
        )
    if not session.complete:
        raise UploadRefused(
            f"Only {_human(session.received_bytes)} of {_human(session.expected_size)} arrived. "
            "Resume the upload to send the rest."
        )
    src = partial_path(session)
    try:
        if session.sha256 and _sha256(src) != session.sha256:
            raise UploadRefused(
                f"{session.filename} arrived damaged (its checksum does not match). "
                "Upload it again."
            )
        dst, checked = media_check_and_strip(
            src, _temp_dir() / f"{session.pk}.ready", filename=session.filename
        )
    except UploadRefused as exc:
        session.status, session.error = UploadStatus.FAILED, str(exc)
        session.save(update_fields=["status", "error", "updated_at"])
        src.unlink(missing_ok=True)
        raise
    src.unlink(missing_ok=True)
    session.status = UploadStatus.READY
    session.kind, session.duration, session.suffix = checked.kind, checked.duration, checked.suffix
    session.save(update_fields=["status", "kind", "duration", "suffix", "updated_at"])
    assert dst == ready_path(session)
    return session


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_session_from_file(*, owner: User, uploaded) -> UploadSession:
    """The no-JavaScript path: a file from a plain multipart form, checked the same way."""
    session = upload_session_start(
        owner=owner, filename=uploaded.name or "The file", size=uploaded.size or 0
    )
    with open(partial_path(session), "wb") as out:
        for chunk in uploaded.chunks(BLOCK):
            out.write(chunk)
    session.received_bytes = session.expected_size
    session.save(update_fields=["received_bytes", "updated_at"])
    return upload_session_finish(session=session)


def upload_session_ready_for(*, owner: User, session_id: str | uuid.UUID) -> UploadSession:
    """A checked upload of `owner`'s that is waiting to become a story's media."""
    try:
        return UploadSession.objects.get(pk=session_id, owner=owner, status=UploadStatus.READY)
    except (UploadSession.DoesNotExist, ValueError, TypeError):
        raise UploadRefused(
            "We could not find your uploaded file (it may have expired). Choose it again."
        ) from None


class _MovableFile(File):
    """Lets FileSystemStorage move the stripped copy into place instead of copying it."""

    def temporary_file_path(self) -> str:
        assert self.file is not None  # made with the open file
        return self.file.name


def story_media_attach(*, story: Story, session: UploadSession, actor: Actor) -> Story:
    """Move a ready upload into the story storage as `story.media` and queue transcription.

    Call it inside the transaction that created the story. The stored name is random: the
    client's file name (which may name people or places) is never kept.
    """
    if session.status != UploadStatus.READY:
        raise UploadRefused("This file has not been checked yet. Upload it again.")
    path = ready_path(session)
    # The field's upload_to (story_media_path) puts the name in the story's folder.
    name = f"{uuid.uuid4().hex}{session.suffix}"
    with open(path, "rb") as f:
        story.media.save(name, _MovableFile(f, name=str(path)), save=False)
    if path.exists():  # storages that copy rather than move
        path.unlink()
    story.kind = session.kind
    story.media_duration = session.duration
    story.save(update_fields=["media", "kind", "media_duration", "updated_at"])
    session.status = UploadStatus.USED
    session.save(update_fields=["status", "updated_at"])
    services.story_transition(story=story, target=StoryStatus.UPLOADED, actor=actor)
    story_event_record(story_id=story.pk, action="story.media_stored", actor=actor, kind=story.kind)
    transcription_enqueue_for(story=story, actor=actor)
    return story


def transcription_enqueue_for(*, story: Story, actor: Actor) -> None:
    """THE single call site that queues a story's transcription after its media is stored."""
    transcription_enqueue(story=story, actor=actor)


@transaction.atomic
def story_submit(
    *,
    uploaded_by: User,
    storyteller: User,
    title: str,
    kind: str,
    consent: dict[str, Any],
    summary: str = "",
    text_body: str = "",
    language: str = "en",
    project: Project | None = None,
    told_on: datetime.date | None = None,
    upload: UploadSession | None = None,
    photo=None,
) -> Story:
    """A new story with its consent, media (queued for transcription) and optional photo.

    `consent` holds the choices of the consent form (archive, researchers, public,
    quotes_allowed, attribution, sealed_until, expires_at). An upload by someone else than
    the storyteller records the consent as given on their behalf. `photo` is a
    stories.photos.CleanPhoto.
    """
    on_behalf = uploaded_by.pk != storyteller.pk
    if on_behalf and not can_upload_for(uploaded_by, storyteller):
        raise PermissionDenied("You can only upload stories for storytellers you work with.")
    if kind != StoryKind.TEXT and upload is None:
        raise UploadRefused("Choose the recording to upload, or tell your story in writing.")
    story = services.story_create(
        storyteller=storyteller,
        uploaded_by=uploaded_by,
        title=title,
        # A recording comes with its upload (checked above).
        kind=StoryKind.TEXT if kind == StoryKind.TEXT else (upload.kind or kind),  # type: ignore[union-attr]
        summary=summary,
        text_body=text_body if kind == StoryKind.TEXT else "",
        language=language,
        project=project,
        told_on=told_on,
    )
    services.consent_record(
        story=story,
        actor=uploaded_by,
        method=ConsentMethod.ON_BEHALF if on_behalf else ConsentMethod.WRITTEN,
        **consent,
    )
    if photo is not None:
        story_photo_attach(story=story, photo=photo)
    if kind == StoryKind.TEXT:
        # Nothing to transcribe: the storyteller reviews their own words and approves them.
        services.story_transition(
            story=story, target=StoryStatus.AWAITING_REVIEW, actor=uploaded_by
        )
    else:
        assert upload is not None  # a recording comes with its upload (checked above)
        story_media_attach(story=story, session=upload, actor=uploaded_by)
    return story


def can_upload_for(user: User, storyteller: User) -> bool:
    """Everyone for themselves; contributors and curators for the storytellers they work with."""
    return user.pk == storyteller.pk or storytellers_for(user).filter(pk=storyteller.pk).exists()


def upload_sessions_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete unfinished or unused uploads older than ARCHIVE_UPLOAD_SESSION_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.ARCHIVE_UPLOAD_SESSION_DAYS)
    old = UploadSession.objects.filter(updated_at__lt=cutoff)
    stale = list(old.exclude(status=UploadStatus.USED))
    for session in stale:
        upload_session_discard(session=session)
    old.filter(status=UploadStatus.USED).delete()
    return len(stale)


def upload_session_discard(*, session: UploadSession) -> None:
    for path in (partial_path(session), *_temp_dir().glob(f"{session.pk}.ready*")):
        Path(path).unlink(missing_ok=True)
    session.delete()
