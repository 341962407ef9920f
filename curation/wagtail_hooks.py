"""Curators' admin: stories, projects, themes and values as snippets."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.models import ModelLogEntry
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from coding.models import TagStatus
from curation.permissions import StoryPermissionPolicy
from curation.themes import (
    TagCountsView,
    ThemeAdminForm,
    ThemeCreateView,
    ThemeDeleteView,
    ThemeEditView,
    ThemeMergeView,
)
from stories.changes import story_changed
from stories.models import Project, Story, StoryQuerySet, Theme, Value
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


class VisibleStoryMixin:
    """Wagtail's object views check model permissions only; add the visibility rule."""

    # Given by the Wagtail object view this is mixed into.
    permission_policy: Any
    request: HttpRequest

    def get_object(self, *args, **kwargs) -> Story:
        # Edit views pass a queryset; history and usage views pass nothing.
        story = super().get_object(*args, **kwargs)  # type: ignore[misc]  # from the Wagtail view
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "view"], story
        ):
            raise Http404("No story here that you may see.")
        return story


class StoryEditView(VisibleStoryMixin, snippet_views.EditView):
    def save_instance(self) -> Story:
        # Search shows titles and summaries (suggestions come straight from the index) and
        # filters by project: an edit here reaches the index through the outbox, like any
        # other change.
        story = super().save_instance()
        story_changed(story_ids=[story.pk])
        return story


class StoryHistoryView(VisibleStoryMixin, snippet_views.HistoryView):
    pass


class StoryUsageView(VisibleStoryMixin, snippet_views.UsageView):
    pass


class StoryInspectView(VisibleStoryMixin, snippet_views.InspectView):
    pass


def _visible_to_request(request: HttpRequest) -> StoryQuerySet:
    return Story.objects.visible_to(audience_for(request.user))


class StoryChooseView(chooser_views.ChooseView):
    def get_object_list(self) -> StoryQuerySet:
        return _visible_to_request(self.request)


class StoryChooseResultsView(chooser_views.ChooseResultsView):
    def get_object_list(self) -> StoryQuerySet:
        return _visible_to_request(self.request)


class StoryChosenView(chooser_views.SnippetChosenView):
    def get_object(self, pk) -> Story:
        return _visible_to_request(self.request).get(pk=pk)


class StoryChosenMultipleView(chooser_views.SnippetChosenMultipleView):
    def get_objects(self, pks) -> StoryQuerySet:
        return _visible_to_request(self.request).filter(pk__in=pks)


class StoryDeleteBulkAction(DeleteBulkAction):
    """The stories' bulk action: it takes only the stories the visibility rule lets this curator
    see, so its confirmation never names another by an id put in the address. (Stories are
    never deleted in the admin, see curation.permissions: it lists them as not allowed.)"""

    models = [Story]

    def get_queryset(self, model, object_ids):
        return list(_visible_to_request(self.request).filter(pk__in=object_ids))


# After Wagtail's own snippet bulk actions, so this one is the stories' delete action.
hooks.register("register_bulk_action", StoryDeleteBulkAction, order=100)


class StoryChooserViewSet(chooser_views.SnippetChooserViewSet):
    """The story chooser (collections pick stories with it) lists and returns only the stories
    the visibility rule lets this curator see, like the listing."""

    choose_view_class = StoryChooseView
    choose_results_view_class = StoryChooseResultsView
    chosen_view_class = StoryChosenView
    chosen_multiple_view_class = StoryChosenMultipleView


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
    chooser_viewset_class = StoryChooserViewSet

    def get_queryset(self, request: HttpRequest) -> StoryQuerySet:
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
from curation import collection_hooks, dashboard, transcription_hooks  # noqa: E402, F401
