"""Curators' admin: stories, projects, themes and values as snippets."""

from __future__ import annotations

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from stories.models import Project, Story, Theme, Value


class StoryViewSet(SnippetViewSet):
    model = Story
    icon = "media"
    menu_label = "Stories"
    list_display = ["title", "status", "kind", "storyteller", "project", "created_at"]
    list_filter = ["status", "kind", "project"]
    search_fields = ["title", "summary"]
    panels = [
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("project"),
        FieldPanel("language"),
        FieldPanel("told_on"),
    ]


class ProjectViewSet(SnippetViewSet):
    model = Project
    icon = "group"
    list_display = ["name", "coproduction_type"]
    list_filter = ["coproduction_type"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "parent", "merged_into"]
    search_fields = ["name"]


class ValueViewSet(SnippetViewSet):
    model = Value
    icon = "pick"
    list_display = ["number", "name", "group"]
    list_filter = ["group"]
    panels = [FieldPanel("description")]


class ArchiveGroup(SnippetViewSetGroup):
    menu_label = "Archive"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (StoryViewSet, ProjectViewSet, ThemeViewSet, ValueViewSet)


register_snippet(ArchiveGroup)
