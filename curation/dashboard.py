"""The curator's desk on the Wagtail dashboard: what waits, with a count and a link each.

The counts come from `curation.queues` (every count through the visibility rule for the
signed-in curator, in a fixed number of queries). Queues the admin has no filtered listing for
(ready to publish, consent ending soon, recent withdrawals) get a small listing here, under
/admin/desk/; the others link to the stories listing filtered by status, the transcription
desk and the coding workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from curation import queues
from stories.models import StoryStatus
from stories.visibility import audience_for

LISTED = 200


@dataclass(frozen=True)
class QueueRow:
    key: str
    label: str
    count: int
    url: str
    link_text: str


def _stories_listing(**filters: str) -> str:
    return reverse("wagtailsnippets_stories_story:list") + "?" + urlencode(filters)


def queue_rows(counts: queues.DeskCounts) -> list[QueueRow]:
    return [
        QueueRow(
            "ready",
            "Ready to publish",
            counts.ready,
            reverse("curation_desk:ready"),
            "Stories ready to publish",
        ),
        QueueRow(
            "review",
            "Waiting for the storyteller's review",
            counts.review,
            _stories_listing(status=StoryStatus.AWAITING_REVIEW),
            "Stories waiting for review",
        ),
        QueueRow(
            "proposals",
            "Tag proposals waiting",
            counts.proposals,
            reverse("coding:workspace"),
            "Tag proposals in the coding workspace",
        ),
        QueueRow(
            "transcriptions",
            "Transcriptions failed or stuck",
            counts.transcriptions,
            reverse("transcribe_admin:jobs") + "?" + urlencode({"state": queues.ATTENTION}),
            "Failed and stuck transcriptions",
        ),
        QueueRow(
            "renditions",
            "Redacted recordings that failed their check",
            counts.renditions,
            reverse("transcribe_admin:jobs") + "?" + urlencode({"state": queues.ATTENTION}),
            "Redacted recordings to look at",
        ),
        QueueRow(
            "consent_ending",
            "Consent ending soon",
            counts.consent_ending,
            reverse("curation_desk:consent_ending"),
            "Stories whose consent ends soon",
        ),
        QueueRow(
            "withdrawals",
            "Recent withdrawals",
            counts.withdrawals,
            reverse("curation_desk:withdrawals"),
            "Recent withdrawals",
        ),
    ]


class CuratorDeskPanel(Component):
    name = "curator_desk"
    template_name = "curation/desk_panel.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Mapping[str, Any] | None) -> Mapping[str, Any]:
        counts = queues.desk_queues(audience_for(self.request.user))
        return {
            "queues": queue_rows(counts),
            "tombstones": counts.tombstones,
            "days": queues.RECENT_WITHDRAWALS_DAYS,
        }


@hooks.register("construct_homepage_panels")
def add_curator_desk_panel(request: HttpRequest, panels: list[Component]) -> None:
    if queues.is_curator(audience_for(request.user)):
        panels.insert(0, CuratorDeskPanel(request))


class _DeskListing(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "tasks"
    template_name = "curation/desk_listing.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not queues.is_curator(audience_for(request.user)):
            raise PermissionDenied("Only curators see the desk's queues.")
        return super().dispatch(request, *args, **kwargs)


class ReadyListing(_DeskListing):
    page_title = "Ready to publish"
    intro = "Approved stories with live consent to be shown publicly, and not sealed."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        stories = queues.ready_stories(audience_for(self.request.user), now)
        context.update(
            intro=self.intro,
            stories=stories.select_related("consent").order_by("-updated_at")[:LISTED],
            show_expiry=False,
        )
        return context


class ConsentEndingListing(_DeskListing):
    page_title = "Consent ending soon"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        stories = queues.consent_ending_stories(audience_for(self.request.user), now)
        context.update(
            intro=(
                "Stories whose consent ends within the reminder period; their storytellers are "
                "reminded by email."
            ),
            stories=stories.select_related("consent").order_by("consent__expires_at")[:LISTED],
            show_expiry=True,
        )
        return context


class WithdrawalsListing(_DeskListing):
    page_title = "Recent withdrawals"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            intro=(
                f"Stories withdrawn by their storytellers in the last "
                f"{queues.RECENT_WITHDRAWALS_DAYS} days. Only the story's number and the date "
                "are kept: the story itself is gone."
            ),
            tombstones=queues.tombstones(timezone.now(), LISTED),
        )
        return context


desk_urls = (
    [
        path("ready/", ReadyListing.as_view(), name="ready"),
        path("consent-ending/", ConsentEndingListing.as_view(), name="consent_ending"),
        path("withdrawals/", WithdrawalsListing.as_view(), name="withdrawals"),
    ],
    "curation_desk",
)


@hooks.register("register_admin_urls")
def register_desk_urls():
    return [path("desk/", include(desk_urls))]
