"""The curators' side of the theme taxonomy in the Wagtail admin.

The Theme snippet's own create, edit and delete views go through here so that search follows
(outbox rows in the same transaction as the change), a renamed theme keeps its old name as a
synonym, a theme cannot be nested inside itself, and a theme with tags cannot be deleted (it
is merged instead, so no tag is lost). Two admin pages: merge two themes, and tag counts.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView

from coding import reads, services
from coding.models import Tag
from stories.models import Theme, Value, ValueGroup
from stories.visibility import audience_for

MANAGE_THEMES = "stories.change_theme"


class ThemeAdminForm(WagtailAdminModelForm):
    """Only active themes can be parents, and never the theme itself or one inside it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            parents = Theme.objects.active()
            if self.instance.pk:
                parents = parents.exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = parents

    def clean(self) -> dict:
        data = super().clean()
        name = " ".join((data.get("name") or "").split())
        if name:
            clash = Theme.objects.active().filter(name__iexact=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "name",
                    f"There is already a theme called “{name}”. Use it, or merge the two themes.",
                )
        parent = data.get("parent")
        if parent is not None and self.instance.pk:
            try:
                services.theme_parent_check(theme=self.instance, parent=parent)
            except services.CodingError as error:
                self.add_error("parent", str(error))
        return data


class ThemeCreateView(CreateView):
    def save_instance(self):
        theme = super().save_instance()
        services.theme_stories_changed(themes=[theme])
        return theme


class ThemeEditView(EditView):
    def save_instance(self):
        old_name = self.form.initial.get("name") or ""
        theme = super().save_instance()
        services.theme_changed(theme=theme, old_name=old_name, actor=self.request.user)
        return theme


class ThemeDeleteView(DeleteView):
    """A theme with tags is merged, never deleted: deleting would take its tags with it."""

    def form_valid(self, form):
        tags = Tag.objects.filter(theme=self.object)
        if tags.exists():
            # Named by the tags this curator may see: others' stories are not counted aloud.
            seen = tags.on_visible_stories(audience_for(self.request.user)).count()
            on = f"on {seen} tag{'s' if seen != 1 else ''}" if seen else "on tags"
            messages.error(
                self.request,
                f"“{self.object}” is {on}, so it cannot be deleted. Merge it into another theme "
                "instead: every tag moves and nothing is lost.",
            )
            return redirect("stories_theme_merge")
        return super().form_valid(form)


class ThemeMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Merge this theme",
        queryset=Theme.objects.active().order_by("name"),
        help_text="Its tags, synonyms and child themes move; its name becomes a synonym.",
    )
    target = forms.ModelChoiceField(
        label="into this theme",
        queryset=Theme.objects.active().order_by("name"),
        help_text="The theme that stays.",
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", "Choose two different themes.")
        return data


def _require_curator(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE_THEMES):
        raise PermissionDenied("Only curators look after the theme taxonomy.")


class ThemeMergeView(WagtailAdminTemplateMixin, FormView):
    page_title = "Merge themes"
    header_icon = "tag"
    template_name = "curation/theme_merge.html"
    form_class = ThemeMergeForm

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        _require_curator(request)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        initial = super().get_initial()
        if self.request.GET.get("source", "").isdigit():
            initial["source"] = int(self.request.GET["source"])
        return initial

    def form_valid(self, form):
        source, target = form.cleaned_data["source"], form.cleaned_data["target"]
        # Counted over the stories this curator may see, like every read of stories.
        preview = services.theme_merge_preview(
            source=source, target=target, audience=audience_for(self.request.user)
        )
        if not form.cleaned_data.get("confirm"):
            form = ThemeMergeForm(initial={"source": source, "target": target, "confirm": True})
            return self.render_to_response(
                self.get_context_data(
                    form=form, preview=preview, source=source, target=target, confirming=True
                )
            )
        assert self.request.user.is_authenticated  # dispatch let only a curator in
        try:
            result = services.theme_merge(source=source, target=target, actor=self.request.user)
        except services.CodingError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        others = " (and those on stories you may not see)" if preview["others"] else ""
        messages.success(
            self.request,
            f"“{result.source}” was merged into “{result.target}”: {preview['tags']} tag"
            f"{'s' if preview['tags'] != 1 else ''} on {preview['stories']} "
            f"{'stories' if preview['stories'] != 1 else 'story'} moved{others}; duplicates "
            "were folded together (memos kept) and search follows.",
        )
        return redirect(reverse("wagtailsnippets_stories_theme:list"))


class TagCountsView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Tag counts"
    header_icon = "tag"
    template_name = "curation/tag_counts.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        _require_curator(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        counts = reads.tag_counts(audience_for(self.request.user))
        values = list(Value.objects.order_by("number"))
        themes = list(Theme.objects.active().order_by("name"))
        context["value_rows"] = [
            (
                v,
                ValueGroup(v.group).label,
                counts.values.get(v.pk, 0),
                counts.value_stories.get(v.pk, 0),
            )
            for v in values
        ]
        context["theme_rows"] = [
            (t, counts.themes.get(t.pk, 0), counts.theme_stories.get(t.pk, 0)) for t in themes
        ]
        return context
