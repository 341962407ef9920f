"""The transcription desk in the Wagtail admin, and a re-run button on the story listing."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from curation import transcription_urls
from stories.models import Story
from stories.types import User
from stories.visibility import CURATOR, audience_for


@hooks.register("register_admin_urls")
def transcription_admin_urls():
    return [path("transcriptions/", include(transcription_urls, namespace="transcribe_admin"))]


class CuratorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return audience_for(request.user).has(CURATOR)


@hooks.register("register_admin_menu_item")
def transcription_menu_item():
    return CuratorMenuItem(
        "Transcriptions", reverse("transcribe_admin:jobs"), icon_name="media", order=210
    )


@hooks.register("register_snippet_listing_buttons")
def story_transcription_buttons(snippet, user: User, next_url=None):
    if not isinstance(snippet, Story) or not snippet.has_media:
        return []
    if not audience_for(user).has(CURATOR):
        return []
    return [
        Button(
            "Transcribe again",
            reverse("transcribe_admin:rerun", args=[snippet.pk]),
            icon_name="rotate",
            priority=60,
        ),
        Button(
            "Import a transcript",
            reverse("transcribe_admin:import", args=[snippet.pk]),
            icon_name="upload",
            priority=61,
        ),
    ]
