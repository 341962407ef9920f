"""Storytellers' accounts: invitations (one-time links), self sign-up, who works with whom.

An invitation link carries a random token; only its SHA-256 is stored. The link works once,
until ARCHIVE_INVITATION_DAYS have passed. The archive keeps the least it can: a sign-in name,
a display name (a pseudonym is fine) and the address the invitation went to, so that the
storyteller hears when their transcript is ready.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from stories.models import Invitation, Project, ProjectMembership, Role, StorytellerProfile
from stories.models import display_name as name_of  # the functions here take a display_name
from stories.types import User
from stories.visibility import CONTRIBUTOR, CURATOR, audience_for


class InvitationInvalid(Exception):
    """The link cannot be used; the message says why and what to do."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_invite(user: User) -> bool:
    audience = audience_for(user)
    return audience.has(CONTRIBUTOR) or audience.has(CURATOR)


def invitation_create(
    *,
    invited_by: User,
    email: str,
    join_url_for: Callable[[str], str],
    project: Project | None = None,
    message: str = "",
) -> Invitation:
    """Create an invitation and email its one-time link.

    `join_url_for(token)` builds the absolute link (views use `stories.addresses.site_url`).
    """
    if not can_invite(invited_by):
        raise PermissionDenied("Only contributors and curators can invite storytellers.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=token_hash(token),
        email=email.strip(),
        invited_by=invited_by,
        project=project,
        message=message.strip(),
        expires_at=timezone.now() + datetime.timedelta(days=settings.ARCHIVE_INVITATION_DAYS),
    )
    context = {
        "invitation": invitation,
        "inviter": name_of(invited_by),
        "link": join_url_for(token),
        "days": settings.ARCHIVE_INVITATION_DAYS,
    }
    send_mail(
        subject="You are invited to share your story",
        message=render_to_string("stories/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return invitation


def invitation_for_token(token: str, *, now: datetime.datetime | None = None) -> Invitation:
    """The invitation a link belongs to, if it can still be accepted."""
    now = now or timezone.now()
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.revoked:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied the whole link from the "
            "email, or ask the person who invited you to send a new one."
        )
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            "This invitation has already been used. Sign in with the name and password you "
            "chose, or ask for a new invitation."
        )
    if invitation.expires_at <= now:
        raise InvitationInvalid(
            f"This invitation expired on {invitation.expires_at:%d %B %Y}. Ask the person who "
            "invited you to send a new one."
        )
    return invitation


def _storyteller_user_create(
    *, username: str, display_name: str, password: str, email: str
) -> User:
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    user.groups.add(Group.objects.get(name=Role.STORYTELLER))
    StorytellerProfile.objects.create(user=user, display_name=display_name.strip())
    return user


def invitation_accept(*, token: str, username: str, display_name: str, password: str) -> User:
    """Accept an invitation: a storyteller account, and the link is used up."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        # One-time, even when two tabs submit at once.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationInvalid(
                "This invitation has already been used. Sign in with the name and password you "
                "chose."
            )
        user = _storyteller_user_create(
            username=username, display_name=display_name, password=password, email=invitation.email
        )
        if invitation.project_id:
            ProjectMembership.objects.get_or_create(
                project_id=invitation.project_id, user=user, defaults={"role": Role.STORYTELLER}
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def storyteller_signup(*, username: str, display_name: str, password: str, email: str = "") -> User:
    """Open sign-up, when ARCHIVE_SELF_SIGNUP is on. The email address is optional."""
    if not settings.ARCHIVE_SELF_SIGNUP:
        raise PermissionDenied("Joining is by invitation only. Ask a community reporter.")
    with transaction.atomic():
        return _storyteller_user_create(
            username=username, display_name=display_name, password=password, email=email
        )


def storytellers_for(user: User) -> QuerySet[User]:
    """Storytellers `user` may upload for: everyone's for a curator; for a contributor, those
    they invited and those in the projects they belong to. Nobody else's otherwise."""
    users = get_user_model().objects.filter(groups__name=Role.STORYTELLER, is_active=True)
    audience = audience_for(user)
    if audience.has(CURATOR):
        return users.distinct()
    if not audience.has(CONTRIBUTOR):
        return users.none()
    projects = ProjectMembership.objects.filter(user=user).values("project_id")
    invited = Invitation.objects.filter(invited_by=user, accepted_by__isnull=False).values(
        "accepted_by"
    )
    return (
        users.filter(Q(pk__in=invited) | Q(project_memberships__project_id__in=projects))
        .exclude(pk=user.pk)
        .distinct()
    )
