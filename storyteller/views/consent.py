"""Changing consent: a new record each time; the whole history stays visible to the storyteller."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from stories import services
from stories.models import ConsentMethod
from storyteller.forms import ConsentForm
from storyteller.views._common import answers_gone, own_story


@login_required
@answers_gone
def consent_change(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        prefix="consent",
        initial=ConsentForm.initial_from(story.consent),
    )
    if request.method == "POST" and form.is_valid():
        services.consent_record(
            story=story, actor=request.user, method=ConsentMethod.WRITTEN, **form.consent_choices()
        )
        messages.success(request, "Your choices are saved. The history below shows every change.")
        return redirect("storyteller:consent", story.pk)
    history = story.consent_history.select_related("recorded_by__storyteller_profile")
    return render(
        request,
        "storyteller/consent.html",
        {
            "story": story,
            "form": form,
            "error_links": form.error_links(),
            "history": history,
            "consent_version": settings.ARCHIVE_CONSENT_TEXT_VERSION,
        },
    )
