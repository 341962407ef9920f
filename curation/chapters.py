"""The curator's "Chapters" screen of a story, reached from the story screen in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from coding.reads import tagged_excerpts
from stories.chapter_forms import ChapterDesk, chapter_desk
from stories.chapters import may_edit_chapters
from stories.models import Story
from stories.visibility import CURATOR, audience_for


class StoryChaptersView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "list-ol"
    template_name = "curation/chapters.html"
    story: Story
    desk: ChapterDesk

    def get_page_title(self) -> str:
        return f"Chapters of “{self.story.title}”"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        audience = audience_for(request.user)
        # Through the visibility rule: a story this curator may not see is not found.
        story = Story.objects.visible_to(audience).filter(pk=kwargs["pk"]).first()
        if story is None or not audience.has(CURATOR) or not may_edit_chapters(request.user, story):
            raise Http404("No story here whose chapters you may change.")
        self.story = story
        self.desk = chapter_desk(request, story, tagged_excerpts(story))
        if self.desk.done:
            messages.success(request, self.desk.done)
            return redirect("story_chapters", story.pk)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)  # the desk handled it; show its errors

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(
            story=self.story,
            desk=self.desk,
            here=reverse("story_chapters", args=[self.story.pk]),
            story_screen=reverse("wagtailsnippets_stories_story:inspect", args=[self.story.pk]),
        )
        return context
