"""Curators' admin: stories, projects, themes and values as snippets."""

from __future__ import annotations

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from stories.models import Project, Story, Theme, Value
from stories.permissions import StoryPermissionPolicy
from stories.tagging.admin import (
    TagCountsView,
    ThemeAdminForm,
    ThemeCreateView,
    ThemeDeleteView,
    ThemeEditView,
    ThemeMergeView,
)
from stories.visibility import audience_for

register_permission_policy(Story, StoryPermissionPolicy(Story))


class VisibleStoryMixin:
    """Wagtail's object views check model permissions only; add the visibility rule."""

    def get_object(self, queryset=None):
        story = super().get_object(queryset)
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "view"], story
        ):
            raise Http404("No story here that you may see.")
        return story


class StoryEditView(VisibleStoryMixin, snippet_views.EditView):
    pass


class StoryHistoryView(VisibleStoryMixin, snippet_views.HistoryView):
    pass


class StoryUsageView(VisibleStoryMixin, snippet_views.UsageView):
    pass


class StoryInspectView(VisibleStoryMixin, snippet_views.InspectView):
    pass


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

    edit_view_class = StoryEditView
    history_view_class = StoryHistoryView
    usage_view_class = StoryUsageView
    inspect_view_class = StoryInspectView

    def get_queryset(self, request):
        # The listing shows only what the visibility rule lets this curator see.
        return Story.objects.visible_to(audience_for(request.user)).select_related(
            "storyteller", "project"
        )


class ProjectViewSet(SnippetViewSet):
    model = Project
    icon = "group"
    list_display = ["name", "coproduction_type"]
    list_filter = ["coproduction_type"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = [
        "name",
        "parent",
        "merged_into",
        Column("tag_count", label="Tags", sort_key="tag_count"),
        Column("story_count", label="Stories tagged", sort_key="story_count"),
    ]
    search_fields = ["name"]
    # The coding workspace (stories.tagging.admin): search follows every change, a renamed
    # theme keeps its old name as a synonym, themes with tags are merged, never deleted.
    add_view_class = ThemeCreateView
    edit_view_class = ThemeEditView
    delete_view_class = ThemeDeleteView
    edit_handler = ObjectList(Theme.panels, base_form_class=ThemeAdminForm)

    def get_queryset(self, request):
        return Theme.objects.with_tag_counts()


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


# --- Theme taxonomy: merge and tag counts (stories.tagging.admin) ----------------------------


@hooks.register("register_admin_urls")
def register_theme_admin_urls():
    return [
        path("themes/merge/", ThemeMergeView.as_view(), name="stories_theme_merge"),
        path("themes/tag-counts/", TagCountsView.as_view(), name="stories_tag_counts"),
    ]


class _CuratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("stories.change_theme")


@hooks.register("register_admin_menu_item")
def register_theme_merge_menu_item():
    return _CuratorMenuItem(
        "Merge themes", reverse("stories_theme_merge"), icon_name="tag", order=210
    )


@hooks.register("register_admin_menu_item")
def register_tag_counts_menu_item():
    return _CuratorMenuItem(
        "Tag counts", reverse("stories_tag_counts"), icon_name="list-ul", order=211
    )
