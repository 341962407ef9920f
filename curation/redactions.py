"""The curator's "Take words out" screen of a story, reached from the story screen in the admin.

A curator takes a span out at the storyteller's request or to protect someone else (a third
party), with a reason the storyteller sees beside it in their studio; the storyteller is told
by email (which says why, never which words). The transcript is shown with each line's number,
times and word numbers, so a span can be given either way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from stories.models import Redaction, RedactionBy, Segment, Story, Transcript
from stories.notifications import notify_redaction_by_curator
from stories.redaction_forms import SpanForm
from stories.redactions import RedactionRefused, redaction_add, redaction_undo, redactions_for
from stories.timecode import clock
from stories.visibility import CURATOR, audience_for
from stories.words import segment_words

# How the storyteller's email says why, in the curator's own choice of words.
EMAIL_WHY = {
    RedactionBy.REQUEST: "you asked for them to be taken out.",
    RedactionBy.THIRD_PARTY: "they could identify someone else, who has a right to privacy too.",
}


class CuratorRedactForm(SpanForm):
    by = forms.ChoiceField(
        label="Taken out",
        choices=[
            (RedactionBy.REQUEST, RedactionBy.REQUEST.label),
            (RedactionBy.THIRD_PARTY, RedactionBy.THIRD_PARTY.label),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].label = "Why (the storyteller sees this; do not repeat the words)"


class StoryRedactView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "cut"
    template_name = "curation/redact.html"
    story: Story
    form: CuratorRedactForm

    def get_page_title(self) -> str:
        return f"Take words out of “{self.story.title}”"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        audience = audience_for(request.user)
        # Through the visibility rule: a story this curator may not see is not found.
        story = Story.objects.visible_to(audience).filter(pk=kwargs["pk"]).first()
        if story is None or not audience.has(CURATOR) or not story.has_media:
            raise Http404("No recorded story here that you may take words out of.")
        self.story = story
        self.form = CuratorRedactForm(request.POST or None)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        assert user.is_authenticated  # the admin lets only signed-in staff in
        if "undo" in request.POST:
            return self._undo(request, request.POST["undo"])
        transcript = Transcript.objects.filter(story=self.story).first()
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                if transcript is None:
                    raise RedactionRefused("This story has no transcript yet.")
                start, end = self.form.span(transcript)
                with transaction.atomic():
                    result = redaction_add(
                        story=self.story,
                        start=start,
                        end=end,
                        actor=user,
                        reason=data["reason"],
                        by=data["by"],
                    )
                    story = self.story
                    why = EMAIL_WHY[RedactionBy(data["by"])]
                    transaction.on_commit(lambda: notify_redaction_by_curator(story, why=why))
            except (RedactionRefused, PermissionDenied) as exc:
                self.form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"{result.message} The storyteller is told by email, and why."
                )
                return redirect("story_redact", self.story.pk)
        return self.get(request, *args, **kwargs)

    def _undo(self, request: HttpRequest, redaction_id: str) -> HttpResponse:
        """Put back words a curator took out (the storyteller's own choices stay theirs)."""
        user = request.user
        assert user.is_authenticated  # the admin lets only signed-in staff in
        redaction = (
            Redaction.objects.filter(story=self.story, pk=redaction_id)
            .exclude(by=RedactionBy.STORYTELLER)
            .first()
            if redaction_id.isdigit()
            else None
        )
        if redaction is None:
            raise Http404("No redaction of a curator's here.")
        when = f"{clock(redaction.start)} to {clock(redaction.end)}"
        try:
            redaction_undo(redaction=redaction, actor=user)
        except (RedactionRefused, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The words from {when} are back in the story.")
        return redirect("story_redact", self.story.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        segments = Segment.objects.filter(transcript__story=self.story).order_by("index")
        context.update(
            story=self.story,
            form=self.form,
            lines=[
                {
                    "number": s.index + 1,
                    "at": f"{clock(s.start)} to {clock(s.end)}",
                    "words": [str(w["text"]) for w in (segment_words(s) or [])] or s.text.split(),
                }
                for s in segments
            ],
            redactions=redactions_for(self.story, audience_for(self.request.user)),
            story_screen=reverse("wagtailsnippets_stories_story:inspect", args=[self.story.pk]),
        )
        return context
