"""Where story files live: a private storage that no URL serves.

Story media and photos hold people's voices and faces; they are only ever streamed by the
`stories:media` view after the visibility rule says yes. The storage is Django's
``STORAGES["stories"]`` (a folder outside MEDIA_ROOT by default, so the development static
media route cannot reach it either).
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage without public URLs."""

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Story files have no public URL. Link to the protected view instead: "
            "{% url 'stories:media' story.pk 'media' %} (or 'photo')."
        )


def story_storage() -> Storage:
    """The storage of story media, photos and files derived from them."""
    return storages["stories"]


def derived_prefix(story_id: int) -> str:
    """Folder (in the story storage) for files derived from a story: captions, renditions.

    Withdrawal deletes everything under it, so put any cached derivative of a story here.
    """
    return f"derived/{story_id}/"
