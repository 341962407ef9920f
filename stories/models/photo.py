"""A story's optional photo: re-encoded without EXIF, kept in the private story storage."""

from __future__ import annotations

from django.db import models

from stories.storage import story_storage


def story_photo_path(photo: StoryPhoto, filename: str) -> str:
    return f"photos/{photo.story.storyteller_id}/{filename}"


class StoryPhoto(models.Model):
    story = models.OneToOneField("stories.Story", on_delete=models.CASCADE, related_name="photo")
    image = models.ImageField(
        upload_to=story_photo_path,
        storage=story_storage,
        width_field="width",
        height_field="height",
        max_length=500,
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(
        max_length=255, help_text="What the photo shows, for people who cannot see it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Photo of story {self.story_id}"
