"""Curators' admin: stories, projects, themes and values as snippets."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.models import ModelLogEntry
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from coding.models import TagStatus
from curation import publication  # noqa: F401  (registers the publication actions)
from curation.chapters import StoryChaptersView
from curation.permissions import StoryPermissionPolicy
from curation.redactions import StoryRedactView
from curation.stories import StoryViewSet, visible_to_request
from curation.themes import (
    TagCountsView,
    ThemeAdminForm,
    ThemeCreateView,
    ThemeDeleteView,
    ThemeEditView,
    ThemeMergeView,
)
from stories.models import Project, Story, Theme, Value
from stories.services import admin_log_label
from stories.visibility import audience_for

register_permission_policy(Story, StoryPermissionPolicy(Story))


@receiver(pre_save, sender=ModelLogEntry, dispatch_uid="story_log_entries_name_no_story")
def story_log_entries_name_no_story(
    sender: type[ModelLogEntry], instance: ModelLogEntry, **kwargs: object
) -> None:
    """The admin's history of a story is labelled "Story <id>", never with its title.

    Log entries stay after consent ends (expired, taken out of the archive, never given) and
    the site history report lists them, with CSV and XLSX exports, to every curator. Wagtail
    validates each entry before saving it, which loads these hooks first, so every story log
    entry, however written, passes here.
    """
    if instance.content_type_id == ContentType.objects.get_for_model(Story).pk:
        instance.label = admin_log_label(instance.object_id)


class StoryDeleteBulkAction(DeleteBulkAction):
    """The stories' bulk action: it takes only the stories the visibility rule lets this curator
    see, so its confirmation never names another by an id put in the address. (Stories are
    never deleted in the admin, see curation.permissions: it lists them as not allowed.)"""

    models = [Story]

    def get_queryset(self, model, object_ids):
        return list(visible_to_request(self.request).filter(pk__in=object_ids))


# After Wagtail's own snippet bulk actions, so this one is the stories' delete action.
hooks.register("register_bulk_action", StoryDeleteBulkAction, order=100)


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
    # The coding workspace (curation.themes): search follows every change, a renamed
    # theme keeps its old name as a synonym, themes with tags are merged, never deleted.
    add_view_class = ThemeCreateView
    edit_view_class = ThemeEditView
    delete_view_class = ThemeDeleteView
    edit_handler = ObjectList(Theme.panels, base_form_class=ThemeAdminForm)

    def get_queryset(self, request: HttpRequest):
        # Counted over the stories this curator may see, like every read of stories.
        visible = Story.objects.visible_to(audience_for(request.user)).values("pk")
        counted = Q(tags__status=TagStatus.ACCEPTED, tags__story__in=visible)
        return Theme.objects.annotate(
            tag_count=Count("tags", filter=counted),
            story_count=Count("tags__story", filter=counted, distinct=True),
        )


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


# --- Theme taxonomy: merge and tag counts (curation.themes) ----------------------------


@hooks.register("register_admin_urls")
def register_theme_admin_urls():
    return [
        path("themes/merge/", ThemeMergeView.as_view(), name="stories_theme_merge"),
        path("themes/tag-counts/", TagCountsView.as_view(), name="stories_tag_counts"),
        path("stories/<int:pk>/chapters/", StoryChaptersView.as_view(), name="story_chapters"),
        path("stories/<int:pk>/redact/", StoryRedactView.as_view(), name="story_redact"),
    ]


class _CuratorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
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


# The transcription desk and the collection hooks register their own hooks when imported.
from curation import collection_hooks, dashboard, ohms, transcription_hooks  # noqa: E402, F401
