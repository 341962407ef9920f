"""Withdrawal: one clearly labelled action, confirmed on its own page (no JavaScript needed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from stories import services
from storyteller.forms import WithdrawForm
from storyteller.views._common import answers_gone, own_story


@login_required
@answers_gone
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    story = own_story(request, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        title = story.title
        services.consent_withdraw(story=story, actor=request.user)
        messages.success(
            request,
            f"“{title}” is withdrawn. Its recording, transcript and photo are deleted and "
            "nobody can see it any more.",
        )
        return redirect("storyteller:my_stories")
    return render(
        request,
        "storyteller/withdraw.html",
        {"story": story, "form": form, "error_links": form.error_links()},
    )
