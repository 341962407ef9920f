"""Curators import an OHMS XML file (transcript and index) onto a story from the admin.

Archives that already use OHMS move their interviews in this way: the transcript becomes the
story's segments (through the same rules as every imported transcript: never over an approved
one, and the storyteller reviews it), and the index becomes the story's chapters, in one
transaction with the change log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.widgets import Button

from public.ohms import MAX_OHMS_BYTES, OhmsRecord, OhmsRefused, ohms_parse
from stories.audit import story_event_record
from stories.changes import story_changed
from stories.models import Chapter, Story, Theme, Value
from stories.types import Actor, User
from stories.visibility import CURATOR, audience_for
from transcribe.services import JobRefused, transcript_import_segments


def ohms_import(*, story: Story, record: OhmsRecord, filename: str, actor: Actor) -> list[Chapter]:
    """The record's transcript (if any) replaces the story's; its index replaces the chapters.

    Subjects that name one of the archive's values or themes link the chapter to it; the rest
    join the chapter's keywords. Raises JobRefused (nothing written) when the story cannot take
    the transcript now.
    """
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.is_withdrawn:
            raise JobRefused("This story was withdrawn: nothing can be imported onto it.")
        if record.segments:
            transcript_import_segments(
                story=story,
                segments=record.segments,
                fmt="ohms",
                note=f"Imported from the OHMS record {filename or 'a file'}.",
                actor=actor,
            )
        chapters: list[Chapter] = []
        if record.points:
            Chapter.objects.filter(story=story).delete()
            for point in record.points:
                values, themes = _terms(point.subjects)
                named = {term.name.casefold() for term in [*values, *themes]}
                keywords = [
                    *point.keywords,
                    *(s for s in point.subjects if s.casefold() not in named),
                ]
                chapter = Chapter.objects.create(
                    story=story,
                    start=point.start,
                    title=point.title,
                    synopsis=point.synopsis,
                    keywords=", ".join(keywords)[:500],
                    created_by=actor,
                )
                chapter.values.set(values)
                chapter.themes.set(themes)
                chapters.append(chapter)
        story_event_record(
            story_id=story.pk,
            action="chapters.imported",
            actor=actor,
            format="ohms",
            chapters=len(chapters),
            segments=len(record.segments),
        )
        story_changed(story_ids=[story.pk])
    return chapters


def _terms(subjects: tuple[str, ...]) -> tuple[list[Value], list[Theme]]:
    if not subjects:
        return [], []
    names = Q()
    for subject in subjects:
        names |= Q(name__iexact=subject)
    values = list(Value.objects.filter(names))
    themes = list(Theme.objects.active().filter(names))
    return values, themes


@require_http_methods(["GET", "POST"])
def import_ohms(request: HttpRequest, story_id: int) -> HttpResponse:
    audience = audience_for(request.user)
    if not audience.has(CURATOR):
        raise PermissionDenied("Only curators can import OHMS records.")
    story = get_object_or_404(Story.objects.visible_to(audience), pk=story_id)
    screen = reverse("wagtailsnippets_stories_story:inspect", args=[story.pk])
    error = ""
    if request.method == "POST":
        assert request.user.is_authenticated  # only a curator got this far
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose the OHMS XML file exported for this interview."
        elif upload.size is not None and upload.size > MAX_OHMS_BYTES:
            error = "That file is larger than an OHMS record can be (10 MB at most)."
        else:
            try:
                record = ohms_parse(upload.read())
                chapters = ohms_import(
                    story=story, record=record, filename=upload.name or "", actor=request.user
                )
            except (OhmsRefused, JobRefused) as exc:
                error = f"{upload.name}: {exc}"
            else:
                messages.success(
                    request,
                    f"The OHMS record was imported onto “{story.title}”: "
                    f"{len(record.segments)} transcript passages, {len(chapters)} chapters.",
                )
                return redirect(screen)
    return TemplateResponse(
        request,
        "curation/ohms_import.html",
        {"story": story, "error": error, "screen": screen},
        status=400 if error else 200,
    )


@hooks.register("register_admin_urls")
def ohms_admin_urls() -> list[Any]:
    return [path("ohms/<int:story_id>/import/", import_ohms, name="ohms_import")]


@hooks.register("register_snippet_listing_buttons")
def story_ohms_buttons(snippet: Any, user: User, next_url: str | None = None) -> list[Button]:
    """On the story listing and the story screen: bring an OHMS record in, or take one out."""
    if not isinstance(snippet, Story) or not snippet.has_media or snippet.is_withdrawn:
        return []
    if not audience_for(user).has(CURATOR):
        return []
    return [
        Button(
            "Import an OHMS record",
            reverse("ohms_import", args=[snippet.pk]),
            icon_name="upload",
            priority=62,
        ),
        Button(
            "Export as OHMS XML",
            reverse("ohms-export", args=[snippet.pk]),
            icon_name="download",
            priority=63,
        ),
    ]
