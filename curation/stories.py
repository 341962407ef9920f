"""The curator's desk for stories: the listing (filters, title search), the story screen (the
snippet's inspect view) and the story chooser. Every read goes through the visibility rule for
the curator asking; the story screen reads a fixed number of queries, however many tags,
segments, events or consent records the story has.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from coding.models import Tag
from public.links import story_captions_url, story_media_url
from stories.changes import story_changed
from stories.languages import part_lang
from stories.models import (
    CollectionStory,
    ConsentRecord,
    Project,
    Segment,
    Story,
    StoryEvent,
    StoryQuerySet,
    StoryStatus,
    Transcript,
    display_name,
)
from stories.models.story import TRANSITIONS, consent_ending_q, unsealed_q, why_not_public
from stories.timecode import clock
from stories.visibility import CURATOR, audience_for

# --- Consent in words ---------------------------------------------------------------------------


def _day(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def consent_in_words(consent: ConsentRecord | None, storyteller_name: str) -> str:
    """One consent record in plain words: its uses, quotes, name, seal and end."""
    if consent is None:
        return "No consent recorded: the story may not be used."
    if consent.withdrawn:
        return "Withdrawn: the storyteller took the story out of every use."
    uses = [
        words
        for agreed, words in (
            (consent.archive, "kept in the archive"),
            (consent.researchers, "seen by approved researchers"),
            (consent.public, "shown publicly"),
        )
        if agreed
    ]
    said = [f"May be {_and(uses)}" if uses else "No use agreed"]
    said.append("quotes allowed" if consent.quotes_allowed else "no quotes")
    said.append(f"named as {storyteller_name}" if consent.attribution == "named" else "anonymous")
    if consent.sealed_until is not None:
        said.append(f"sealed until {_day(consent.sealed_until)}")
    if consent.expires_at is not None:
        said.append(f"ends on {_day(consent.expires_at)}")
    return "; ".join(said) + "."


def consent_in_a_few_words(consent: ConsentRecord | None, now: datetime.datetime) -> str:
    """The audience a story's current consent reaches, for listing and chooser columns."""
    if consent is None:
        return "no consent"
    if consent.withdrawn:
        return "withdrawn"
    if not consent.is_live(now):
        return "ended"
    if consent.is_sealed(now.date()):
        return f"sealed until {_day(consent.sealed_until)}" if consent.sealed_until else "sealed"
    if consent.public:
        words = "public"
    elif consent.researchers:
        words = "researchers only"
    elif consent.archive:
        words = "archive only"
    else:
        return "no use agreed"
    if consent.expires_at is not None:
        words += f", ends {_day(consent.expires_at)}"
    return words


# --- The listing's filters ----------------------------------------------------------------------

CONSENT_FILTERS = [
    ("public", "Shown publicly"),
    ("researchers", "Researchers only"),
    ("archive", "Archive only"),
    ("sealed", "Sealed"),
    ("expiring", "Consent ends soon"),
]


def consent_q(choice: str, now: datetime.datetime) -> Q:
    """The stories whose current consent is in `choice` (one of CONSENT_FILTERS)."""
    unsealed = unsealed_q(now.date())
    if choice == "sealed":
        return ~unsealed
    if choice == "expiring":
        return consent_ending_q(now, settings.ARCHIVE_CONSENT_REMINDER_DAYS)
    if choice == "public":
        return unsealed & Q(consent__public=True)
    if choice == "researchers":
        return unsealed & Q(consent__researchers=True, consent__public=False)
    if choice == "archive":
        only = Q(consent__archive=True, consent__researchers=False, consent__public=False)
        return unsealed & only
    return Q()


class StoryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=StoryStatus.choices)
    project = django_filters.ModelChoiceFilter(
        label="Project", queryset=Project.objects.order_by("name")
    )
    consent = django_filters.ChoiceFilter(
        label="Consent", choices=CONSENT_FILTERS, method="filter_consent"
    )
    language = django_filters.ChoiceFilter(label="Language", choices=[])

    class Meta:
        model = Story
        fields = ["status", "project", "consent", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The languages of the stories this curator may see (one query, however many).
        visible = visible_to_request(self.request) if self.request else Story.objects.none()
        languages = visible.order_by("language").values_list("language", flat=True).distinct()
        self.filters["language"].extra["choices"] = [(code, code) for code in languages if code]

    def filter_consent(self, queryset: StoryQuerySet, name: str, value: str) -> StoryQuerySet:
        return queryset.filter(consent_q(value, timezone.now())) if value else queryset


# --- The views: every object read through the visibility rule --------------------------------


def visible_to_request(request: HttpRequest) -> StoryQuerySet:
    return Story.objects.visible_to(audience_for(request.user))


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


# --- The story screen ---------------------------------------------------------------------------

EVENT_WORDS = {
    "story.created": "Story created",
    "story.media_stored": "Recording stored",
    "story.uploaded": "Marked uploaded",
    "story.transcribing": "Sent for transcription",
    "story.awaiting_review": "Waiting for the storyteller's review",
    "story.approved": "Approved",
    "story.published": "Published",
    "story.withdrawn": "Withdrawn",
    "consent.recorded": "Consent recorded",
    "consent.withdrawn": "Consent withdrawn",
    "transcription.queued": "Transcription queued",
    "transcription.rerun": "Transcription asked for again",
    "transcription.language": "Language chosen by the storyteller; transcription asked for again",
    "transcription.started": "Transcription started",
    "transcription.done": "Transcription finished",
    "transcription.failed": "Transcription failed",
    "transcription.retry_scheduled": "Transcription to be tried again",
    "transcription.released": "Transcription handed back to the queue",
    "transcription.worker_lost": "Transcription worker lost; taken up again",
    "transcript.imported": "Transcript imported",
    "tag.created": "Tagged",
    "tag.proposed": "Tag proposed",
    "tag.updated": "Tag changed",
    "tag.deleted": "Tag removed",
    "tag.accepted": "Tag accepted",
    "tag.declined": "Tag declined",
    "theme.merged": "Theme merged",
}
# The status timeline: how the story came to where it is (the audit history has every row).
TIMELINE_PREFIXES = ("story.", "consent.", "transcription.", "transcript.")
TIMELINE_QUIET = {"transcription.started", "transcription.released", "transcription.worker_lost"}


@dataclass(frozen=True)
class EventLine:
    at: datetime.datetime
    what: str
    who: str
    detail: str


def _event_detail(event: StoryEvent) -> str:
    """Choices and ids only, never the story's words (the rows hold none; this shows fewer)."""
    data = event.data or {}
    if event.action.startswith("story.") and data.get("previous") in StoryStatus.values:
        return f"from {StoryStatus(data['previous']).label.lower()}"
    if event.action == "consent.recorded":
        uses = [use for use in ("archive", "researchers", "public") if data.get(use)]
        return ("uses: " + ", ".join(uses)) if uses else "no use agreed"
    if event.action == "transcription.started" and isinstance(data.get("attempt"), int):
        return f"attempt {data['attempt']}"
    return ""


def _event_line(event: StoryEvent) -> EventLine:
    what = EVENT_WORDS.get(event.action) or event.action.replace(".", " ").replace("_", " ")
    who = display_name(event.actor) if event.actor_id else "the archive"
    what = what[:1].upper() + what[1:]
    return EventLine(at=event.at, what=what, who=who, detail=_event_detail(event))


@dataclass(frozen=True)
class TagLine:
    kind: str
    name: str
    where: str
    status: str


def _tag_line(tag: Tag) -> TagLine:
    if tag.value_id is not None and tag.value is not None:
        kind, name = "Value", f"{tag.value.number}. {tag.value.name}"
    else:
        kind, name = "Theme", tag.theme.name if tag.theme is not None else "(removed theme)"
    if tag.start_seconds is not None:
        end = tag.end_seconds if tag.end_seconds is not None else tag.start_seconds
        where = f"{clock(tag.start_seconds)} to {clock(end)}"
    elif tag.char_start is not None:
        where = "a passage of the text"
    else:
        where = "the whole story"
    return TagLine(kind=kind, name=name, where=where, status=tag.get_status_display())


class StoryInspectView(snippet_views.InspectView):
    """The story screen: status and timeline, consent and its history, the player with the
    transcript (read only), tags, collections, the audit history and the actions open now."""

    template_name = "curation/story_inspect.html"

    def get_object(self, queryset: Any = None) -> Story:
        # The story only through the visibility rule (and the curator's permissions): a story
        # this curator may not see is not found, whatever id the address holds.
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "view"]
        )
        related = ("consent__recorded_by__storyteller_profile", "storyteller__storyteller_profile")
        try:
            story: Story = allowed.select_related(*related, "project", "transcript").get(pk=self.pk)
        except (Story.DoesNotExist, ValueError):
            raise Http404("No story here that you may see.") from None
        return story

    def get_fields(self) -> list[str]:
        return []  # the template lays the screen out itself

    def _actions(self, story: Story) -> list[Any]:
        """Every listing button other apps offer for this story now (transcription, publication),
        then the screens of the story itself."""
        buttons: list[Any] = []
        for hook in hooks.get_hooks("register_snippet_listing_buttons"):
            buttons.extend(hook(story, self.request.user, None) or [])
        return sorted((b for b in buttons if getattr(b, "url", None)), key=lambda b: b.priority)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        story: Story = self.object
        now = timezone.now()
        teller = display_name(story.storyteller)
        try:
            transcript = story.transcript
        except Transcript.DoesNotExist:
            transcript = None
        heard = (transcript.language if transcript else "") or story.language
        segments = (
            list(Segment.objects.filter(transcript=transcript).order_by("index"))
            if transcript is not None
            else []
        )
        history = list(
            ConsentRecord.objects.filter(story=story)
            .select_related("recorded_by__storyteller_profile")
            .order_by("-created_at", "-id")
        )
        events = list(
            StoryEvent.objects.filter(story_id=story.pk)
            .select_related("actor__storyteller_profile")
            .order_by("at", "id")
        )
        tags = list(
            Tag.objects.filter(story=story)
            .select_related("value", "theme")
            .order_by("start_seconds", "char_start", "id")
        )
        collections = list(
            CollectionStory.objects.filter(story=story)
            .select_related("page")
            .order_by("page__title", "page_id")
        )
        audience = audience_for(self.request.user)
        context.update(
            story=story,
            teller=teller,
            now=now,
            consent_words=consent_in_words(story.consent, teller),
            consent_short=consent_in_a_few_words(story.consent, now),
            consent_history=[
                {
                    "record": record,
                    "words": consent_in_words(record, teller),
                    "by": display_name(record.recorded_by) if record.recorded_by_id else "—",
                    "current": record.pk == story.consent_id,
                }
                for record in history
            ],
            public_absence=why_not_public(story, now),
            next_statuses=[
                StoryStatus(s).label for s in StoryStatus.values if s in TRANSITIONS[story.status]
            ],
            timeline=[
                _event_line(e)
                for e in events
                if e.action.startswith(TIMELINE_PREFIXES) and e.action not in TIMELINE_QUIET
            ],
            audit=[_event_line(e) for e in reversed(events)],
            transcript=transcript,
            segments=[
                (segment, clock(segment.start), part_lang(segment.language, heard))
                for segment in segments
            ],
            media_url=story_media_url(story) if story.has_media and story.media else "",
            captions_url=story_captions_url(story) if segments else "",
            tags=[_tag_line(tag) for tag in tags],
            collections=[
                {
                    "page": row.page,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[row.page_id]),
                }
                for row in collections
            ],
            actions=self._actions(story) if audience.has(CURATOR) else [],
            edit_url=self.get_edit_url(),
            history_url=reverse("wagtailsnippets_stories_story:history", args=[story.pk]),
            redact_url=(
                reverse("story_redact", args=[story.pk])
                if story.has_media and audience.has(CURATOR)
                else ""
            ),
            chapters_url=(
                reverse("story_chapters", args=[story.pk])
                if story.has_media and audience.has(CURATOR)
                else ""
            ),
        )
        return context


# --- The chooser --------------------------------------------------------------------------------


class TitleSearchForm(BaseFilterForm):
    """The chooser searches titles only (the archive's stories are searched by title here)."""

    q = forms.CharField(
        label="Search titles",
        widget=forms.TextInput(attrs={"placeholder": "Search titles"}),
        required=False,
    )

    def filter(self, objects: StoryQuerySet) -> StoryQuerySet:
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(title__icontains=query)
            self.is_searching = True
            self.search_query = query
        return objects


class ConsentColumn(Column):
    def get_value(self, instance: Story) -> str:
        return consent_in_a_few_words(instance.consent, timezone.now())


class StoryChooserColumnsMixin:
    filter_form_class = TitleSearchForm

    @property
    def columns(self) -> list[Column]:
        columns: list[Column] = super().columns  # type: ignore[misc]  # from the Wagtail view
        return [
            *columns,
            Column("status", label="Status", accessor="get_status_display"),
            ConsentColumn("consent", label="Consent"),
            Column("kind", label="Kind", accessor="get_kind_display"),
        ]


class StoryChooseView(StoryChooserColumnsMixin, chooser_views.ChooseView):
    def get_object_list(self) -> StoryQuerySet:
        return visible_to_request(self.request).select_related("consent")


class StoryChooseResultsView(StoryChooserColumnsMixin, chooser_views.ChooseResultsView):
    def get_object_list(self) -> StoryQuerySet:
        return visible_to_request(self.request).select_related("consent")


class StoryChosenView(chooser_views.SnippetChosenView):
    def get_object(self, pk) -> Story:
        return visible_to_request(self.request).get(pk=pk)


class StoryChosenMultipleView(chooser_views.SnippetChosenMultipleView):
    def get_objects(self, pks) -> StoryQuerySet:
        return visible_to_request(self.request).filter(pk__in=pks)


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
    list_display = [
        "title",
        "status",
        ConsentColumn("consent", label="Consent"),
        "kind",
        "storyteller",
        "project",
        "language",
        "created_at",
    ]
    filterset_class = StoryFilterSet
    # Titles only: the words of a story are searched where its consent is asked (search/).
    search_fields = ["title"]
    inspect_view_enabled = True
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
        return visible_to_request(request).select_related("storyteller", "project", "consent")
