"""Invitations, joining by invitation, and open sign-up when it is switched on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from stories import accounts
from stories.addresses import site_url
from stories.models import Invitation, Project
from stories.types import User
from stories.visibility import CURATOR, audience_for
from storyteller.forms import InvitationForm, JoinForm, SignupForm


def _projects_for(user: User) -> QuerySet[Project]:
    if audience_for(user).has(CURATOR):
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    if not accounts.can_invite(request.user):
        raise PermissionDenied("Only contributors and curators can invite storytellers.")
    form = InvitationForm(
        request.POST if request.method == "POST" else None, projects=_projects_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        invitation = accounts.invitation_create(
            invited_by=request.user,
            email=form.cleaned_data["email"],
            project=form.cleaned_data["project"],
            message=form.cleaned_data["message"],
            # The archive's own address, never the Host header this request came with.
            join_url_for=lambda token: site_url(reverse("storyteller:join", args=[token])),
        )
        messages.success(
            request,
            f"Invitation sent to {invitation.email}. The link works once, until "
            f"{invitation.expires_at:%d %B %Y}.",
        )
        return redirect("storyteller:invite")
    sent = Invitation.objects.filter(invited_by=request.user)[:20]
    return render(
        request,
        "storyteller/invite.html",
        {"form": form, "error_links": form.error_links(), "sent": sent, "now": timezone.now()},
    )


def join(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = accounts.invitation_for_token(token)
    except accounts.InvitationInvalid as exc:
        return render(request, "storyteller/join_invalid.html", {"reason": str(exc)}, status=410)
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.invitation_accept(token=token, **_account_fields(form))
        except accounts.InvitationInvalid as exc:
            return render(
                request, "storyteller/join_invalid.html", {"reason": str(exc)}, status=410
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {form.cleaned_data['display_name']}.")
        return redirect("storyteller:my_stories")
    return render(
        request,
        "storyteller/join.html",
        {"form": form, "error_links": form.error_links(), "invitation": invitation},
    )


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.ARCHIVE_SELF_SIGNUP:
        raise Http404("Joining is by invitation only.")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = accounts.storyteller_signup(
            **_account_fields(form), email=form.cleaned_data["email"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {form.cleaned_data['display_name']}.")
        return redirect("storyteller:my_stories")
    return render(
        request, "storyteller/signup.html", {"form": form, "error_links": form.error_links()}
    )


def _account_fields(form) -> dict:
    return {
        "username": form.cleaned_data["username"],
        "display_name": form.cleaned_data["display_name"],
        "password": form.cleaned_data["password"],
    }
