"""Suggested themes: a coder suggests one from the coding screen when nothing in the codebook
fits; a curator accepts it (under its name or another), merges it into an existing theme, or
declines it. Accepting creates the theme; merging keeps the suggested name as a synonym of the
theme it joins, so a search for it still finds the stories."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from coding import services
from coding.models import SuggestionStatus, ThemeSuggestion
from stories.models import Story, Theme
from stories.services import theme_resolve
from stories.types import User
from stories.visibility import CURATOR, Audience, audience_for


def can_review_suggestions(audience: Audience) -> bool:
    return audience.has(CURATOR)


@transaction.atomic
def theme_suggest(*, story: Story, actor: User, name: str, note: str = "") -> ThemeSuggestion:
    """A coder's suggestion of a new theme, made while coding `story`."""
    clean = " ".join(name.split())
    if not clean:
        raise services.CodingError("Give the theme you suggest a name.")
    existing = Theme.objects.active().filter(name__iexact=clean).first()
    if existing is not None:
        raise services.CodingError(
            f"There is already a theme called “{existing.name}”: choose it in the codebook."
        )
    pending = ThemeSuggestion.objects.filter(status=SuggestionStatus.PENDING, name__iexact=clean)
    if pending.exists():
        raise services.CodingError(
            f"“{clean}” has already been suggested and is waiting for a curator."
        )
    return ThemeSuggestion.objects.create(
        name=clean, note=note.strip(), story=story, suggested_by=actor
    )


def _review(suggestion: ThemeSuggestion, actor: User) -> None:
    if not can_review_suggestions(audience_for(actor)):
        raise PermissionDenied("Only curators review suggested themes.")
    if suggestion.status != SuggestionStatus.PENDING:
        raise services.CodingError("This suggestion has already been reviewed.")


def _close(suggestion: ThemeSuggestion, actor: User, status: str, theme: Theme | None) -> None:
    suggestion.status, suggestion.theme = status, theme
    suggestion.reviewed_by, suggestion.reviewed_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "theme", "reviewed_by", "reviewed_at"])


@transaction.atomic
def suggestion_accept(
    *, suggestion: ThemeSuggestion, actor: User, name: str = "", parent: Theme | None = None
) -> Theme:
    """A new theme from the suggestion, under `name` when the curator renames it (the
    suggested name then stays as a synonym)."""
    _review(suggestion, actor)
    final = " ".join(name.split()) or suggestion.name
    synonyms = [suggestion.name] if final.casefold() != suggestion.name.casefold() else []
    theme = services.theme_create(
        name=final, actor=actor, parent=parent, description=suggestion.note, synonyms=synonyms
    )
    services.theme_stories_changed(themes=[theme])
    _close(suggestion, actor, SuggestionStatus.ACCEPTED, theme)
    return theme


@transaction.atomic
def suggestion_merge(*, suggestion: ThemeSuggestion, actor: User, target: Theme) -> Theme:
    """The suggestion joins an existing theme: its name becomes a synonym there."""
    _review(suggestion, actor)
    target = theme_resolve(theme=target)
    services.theme_synonym_add(theme=target, name=suggestion.name, actor=actor)
    _close(suggestion, actor, SuggestionStatus.MERGED, target)
    return target


@transaction.atomic
def suggestion_decline(*, suggestion: ThemeSuggestion, actor: User) -> None:
    _review(suggestion, actor)
    _close(suggestion, actor, SuggestionStatus.DECLINED, None)
