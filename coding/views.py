"""The coding workspace's pages: thin views (fetch through the visibility rule, call a service)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coding import bands, permissions, reads, services, suggestions, units
from coding.codebook import codebook
from coding.exports import (
    ExportFilter,
    codebook_qdc,
    excerpts_csv_stream,
    excerpts_json_stream,
    project_qdpx_stream,
)
from coding.forms import ExportForm, ReviewForm, TagForm
from coding.models import SuggestionStatus, Tag, TagStatus, ThemeSuggestion
from stories.models import Story, Theme, Value, display_name
from stories.redactions import media_for
from stories.visibility import CURATOR, Audience, audience_for, story_parts

logger = logging.getLogger(__name__)


def media_url(story: Story) -> str | None:
    """The protected media URL of a story's recording (None until that route exists)."""
    if not story.has_media or not story.media:
        return None
    try:
        return reverse("stories:media", args=[story.pk, "media"])
    except NoReverseMatch:
        return None


def _story(request: HttpRequest, pk: int) -> tuple[Story, Audience, bool, bool]:
    """The story if `request.user` may see it (else 404) and code or propose on it (else 403)."""
    audience = audience_for(request.user)
    story = get_object_or_404(
        Story.objects.visible_to(audience).select_related(
            "consent", "project", "storyteller__storyteller_profile"
        ),
        pk=pk,
    )
    coder = permissions.can_code(audience, story)
    owner = permissions.is_storyteller_of(audience, story)
    if not (coder or owner):
        raise PermissionDenied(
            "Coding is open to contributors, researchers and curators, on stories kept in the "
            "archive with the storyteller's consent. Ask a curator if you think you should have "
            "access."
        )
    return story, audience, coder, owner


def _selected(form: TagForm) -> list[str]:
    """The code keys the form shows as chosen (what was posted, or the tag's own code)."""
    value = form["codes"].value()
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _tag(request: HttpRequest, pk: int) -> tuple[Tag, Audience, bool]:
    audience = audience_for(request.user)
    tag = get_object_or_404(
        Tag.objects.on_visible_stories(audience).select_related(
            "story__consent", "story__storyteller__storyteller_profile", "value", "theme"
        ),
        pk=pk,
    )
    return tag, audience, permissions.can_code(audience, tag.story)


@login_required
@require_safe
def workspace(request: HttpRequest) -> HttpResponse:
    """Stories to code, the storyteller's own stories, and proposals waiting for review."""
    audience = audience_for(request.user)
    accepted = Q(tags__status=TagStatus.ACCEPTED)
    codable = (
        permissions.codable_stories(audience)
        .select_related("project")
        .annotate(
            tag_count=Count("tags", filter=accepted),
            coder_count=Count("tags__created_by", filter=accepted, distinct=True),
        )
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(codable, 50).get_page(request.GET.get("page"))
    own = (
        Story.objects.visible_to(audience)
        .filter(storyteller_id=audience.user_id)
        .annotate(tag_count=Count("tags", filter=accepted))
        .order_by("-updated_at")
    )
    proposals = (
        reads.pending_proposals(audience)
        .select_related("story", "value", "theme", "created_by__storyteller_profile")
        .order_by("created_at")[:50]
    )
    return render(
        request,
        "coding/workspace.html",
        {
            "page": page,
            "own": own,
            "proposals": proposals,
            "is_coder": permissions.is_coder(audience),
            "is_curator": audience.has(CURATOR),
            "suggestions_waiting": ThemeSuggestion.objects.filter(
                status=SuggestionStatus.PENDING
            ).count()
            if suggestions.can_review_suggestions(audience)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def story_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The coding screen: the transcript with tags in the margin, and the form to add one."""
    story, audience, coder, owner = _story(request, pk)
    story_units = units.story_units(story)
    choices = reads.code_choices()
    form = TagForm(
        request.POST if request.method == "POST" else None,
        story=story,
        story_units=story_units,
        choices=choices,
    )
    status = 200
    if request.method == "POST":
        assert request.user.is_authenticated  # login_required
        if form.is_valid():
            try:
                tags = services.tags_add(
                    story=story,
                    actor=request.user,
                    codes=form.cleaned_data["code_list"],
                    excerpt=form.cleaned_data["excerpt"],
                    memo=form.cleaned_data["memo"],
                )
            except services.CodingError as error:
                form.add_error(None, str(error))
            else:
                names = ", ".join(f"“{t.code}”" for t in tags)
                if tags[0].status == TagStatus.PROPOSED:
                    messages.success(
                        request, f"Proposed {names}. A contributor will review your proposal."
                    )
                else:
                    where = reads.tag_range_label(tags[0])
                    messages.success(request, f"Tagged {where} with {names}.")
                return redirect(f"{reverse('coding:story', args=[story.pk])}#tag-{tags[0].pk}")
        status = 400
    tags = reads.decorate(
        list(reads.story_tags(story, audience, coder=coder)),
        story,
        story_units,
        story_parts(audience, story),
    )
    bands.colour_tags(tags)
    rows = reads.margin_rows(story, story_units, tags)
    lines = bands.lines(story_units, tags)
    for row in rows:
        row.lines = [lines[u.index] for u in row.units]
    context = {
        "story": story,
        "form": form,
        "coder": coder,
        "owner": owner,
        "can_review": permissions.can_review(audience, story, codes=coder),
        "rows": rows,
        "timeline": bands.timeline(story_units, tags) if story.has_media else None,
        "codebook": codebook(audience, tags),
        "can_review_suggestions": suggestions.can_review_suggestions(audience),
        "whole_story_tags": [
            t for t in tags if not t.is_excerpt and t.status != TagStatus.DECLINED
        ],
        "declined": [t for t in tags if t.status == TagStatus.DECLINED],
        "changeable": {t.pk for t in tags if permissions.can_change_tag(audience, t, codes=coder)},
        "adoptable": reads.adoptable(tags, audience.user_id) if coder else set(),
        "units": story_units,
        "choices": choices,
        "selected_codes": _selected(form),
        # No player while words taken out are still being silenced in the recording.
        "media_url": media_url(story) if media_for(story, audience) is not None else None,
        "coder_count": len({t.created_by_id for t in tags if t.status == TagStatus.ACCEPTED}),
    }
    return render(request, "coding/story.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tag, audience, coder = _tag(request, pk)
    if not permissions.can_change_tag(audience, tag, codes=coder):
        raise PermissionDenied(
            "Only the person who made this tag (or a curator) can change it. Add your own tag "
            "instead: differences between coders are worth talking about."
        )
    story = tag.story
    story_units = units.story_units(story)
    form = TagForm(
        request.POST if request.method == "POST" else None,
        story=story,
        story_units=story_units,
        choices=reads.code_choices(),
        tag=tag,
    )
    status = 200
    if request.method == "POST":
        assert request.user.is_authenticated  # login_required
        if form.is_valid():
            try:
                services.tag_update(
                    tag=tag,
                    actor=request.user,
                    code=form.cleaned_data["code_list"][0],
                    excerpt=form.cleaned_data["excerpt"],
                    memo=form.cleaned_data["memo"],
                )
            except services.CodingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The tag was saved.")
                return redirect(f"{reverse('coding:story', args=[story.pk])}#tag-{tag.pk}")
        status = 400
    context = {
        "tag": tag,
        "story": story,
        "form": form,
        "choices": reads.code_choices(),
        "selected_codes": _selected(form),
    }
    return render(request, "coding/tag_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag, audience, coder = _tag(request, pk)
    if not permissions.can_change_tag(audience, tag, codes=coder):
        raise PermissionDenied("Only the person who made this tag (or a curator) can remove it.")
    if request.method == "POST":
        assert request.user.is_authenticated  # login_required
        story_id = tag.story_id
        services.tag_delete(tag=tag, actor=request.user)
        messages.success(request, f"The tag “{tag.code}” was removed.")
        return redirect("coding:story", pk=story_id)
    return render(request, "coding/tag_delete.html", {"tag": tag, "story": tag.story})


@login_required
@require_POST
def tag_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree with another coder's tag: make one's own with the same code and span."""
    tag, _audience, coder = _tag(request, pk)
    if not coder:
        raise PermissionDenied("Only the people who code this story can adopt its tags.")
    assert request.user.is_authenticated  # login_required
    try:
        mine = services.tag_adopt(tag=tag, actor=request.user)
    except services.CodingError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('coding:story', args=[tag.story_id])}#tag-{tag.pk}")
    messages.success(request, f"You adopted “{tag.code}” on {reads.tag_range_label(mine)}.")
    return redirect(f"{reverse('coding:story', args=[tag.story_id])}#tag-{mine.pk}")


@login_required
@require_POST
def tag_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    tag, _audience, _coder = _tag(request, pk)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    review = services.tag_accept if decision == "accept" else services.tag_decline
    assert request.user.is_authenticated  # login_required
    try:
        review(tag=tag, actor=request.user, note=note)
    except services.CodingError as error:
        messages.error(request, str(error))
    else:
        done = "accepted" if decision == "accept" else "declined"
        messages.success(request, f"The storyteller's proposal “{tag.code}” was {done}.")
    return redirect(f"{reverse('coding:story', args=[tag.story_id])}#tag-{tag.pk}")


@login_required
@require_safe
def story_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    story, audience, coder, _owner = _story(request, pk)
    if not coder:
        raise PermissionDenied("Agreement between coders is shown to the people who code.")
    report = reads.story_agreement(story, storyteller_name=story_parts(audience, story).attribution)
    return render(request, "coding/agreement.html", {"story": story, "report": report})


# --- exports ----------------------------------------------------------------------------------

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "qdpx": "application/zip",
    "qdc": "application/xml; charset=utf-8",
}


def download(body, fmt: str, stem: str) -> HttpResponse | StreamingHttpResponse:
    response: HttpResponse | StreamingHttpResponse
    filename = f"{stem}-{timezone.now():%Y%m%d-%H%M}.{fmt}"
    if isinstance(body, bytes):
        response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    else:
        response = StreamingHttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def absolute_media_url(request: HttpRequest) -> Callable[[Story], str | None]:
    def url(story: Story) -> str | None:
        path = media_url(story)
        return request.build_absolute_uri(path) if path else None

    return url


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The export form; with `format` in the query, the download itself (coders only)."""
    audience = audience_for(request.user)
    if not permissions.can_export(audience):
        raise PermissionDenied(
            "Exports of coded excerpts are open to contributors, researchers and curators, like "
            "the coding pages. Ask a curator if you think you should have access."
        )
    data = request.GET if "format" in request.GET else None
    form = ExportForm(data, choices=reads.code_choices())
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "coding/export.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )
    fmt = form.cleaned_data["format"]
    logger.info("coded excerpts export: user %s, format %s", request.user.pk, fmt)
    if fmt == "qdc":
        return download(codebook_qdc(), "qdc", "codebook")
    code = reads.codes_from_keys([form.cleaned_data["code"]]) if form.cleaned_data["code"] else []
    project = form.cleaned_data["project"]
    filters = ExportFilter(
        project_id=project.pk if project else None,
        value=next((c for c in code if isinstance(c, Value)), None),
        theme=next((c for c in code if isinstance(c, Theme)), None),
    )
    if fmt == "csv":
        return download(excerpts_csv_stream(audience, filters), "csv", "coded-excerpts")
    if fmt == "json":
        return download(excerpts_json_stream(audience, filters), "json", "coded-excerpts")
    embed = form.cleaned_data.get("recordings") == "embed"
    return qdpx_download(
        request, audience, filters, what="Coded excerpts", stem="coded-excerpts", embed=embed
    )


def qdpx_download(
    request: HttpRequest,
    audience: Audience,
    filters: ExportFilter,
    *,
    what: str,
    stem: str,
    embed: bool,
) -> StreamingHttpResponse | HttpResponse:
    """A REFI-QDA project of the excerpts `filters` picks, its recordings linked or (`embed`)
    inside it, as this reader may hear them."""
    assert request.user.is_authenticated  # login_required
    description = (
        f"{what}, exported on {timezone.now():%d %B %Y} by {display_name(request.user)}: only "
        "the stories this account may see, as their storytellers consented."
    )
    stream = project_qdpx_stream(
        audience,
        filters,
        media_url=absolute_media_url(request),
        media_file=(lambda story: media_for(story, audience)) if embed else None,
        description=description,
    )
    return download(stream, "qdpx", stem)


# --- suggested themes -------------------------------------------------------------------------


@login_required
@require_POST
def theme_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """A coder suggests a new theme from the coding screen; a curator reviews it."""
    story, _audience, coder, _owner = _story(request, pk)
    if not coder:
        raise PermissionDenied("Only the people who code this story can suggest themes.")
    assert request.user.is_authenticated  # login_required
    try:
        suggestion = suggestions.theme_suggest(
            story=story,
            actor=request.user,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
        )
    except services.CodingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"You suggested the theme “{suggestion.name}”. A curator will accept, rename or "
            "merge it; once accepted it appears in the codebook.",
        )
    return redirect(f"{reverse('coding:story', args=[story.pk])}#suggest-theme")


def _curator(request: HttpRequest) -> None:
    if not suggestions.can_review_suggestions(audience_for(request.user)):
        raise PermissionDenied("Suggested themes are reviewed by curators.")


@login_required
@require_safe
def theme_suggestions(request: HttpRequest) -> HttpResponse:
    """Curators' list: pending suggestions to accept, rename, merge or decline."""
    _curator(request)
    pending = ThemeSuggestion.objects.filter(status=SuggestionStatus.PENDING).select_related(
        "story", "suggested_by__storyteller_profile"
    )
    reviewed = (
        ThemeSuggestion.objects.exclude(status=SuggestionStatus.PENDING)
        .select_related("theme", "reviewed_by__storyteller_profile")
        .order_by("-reviewed_at")[:20]
    )
    themes = Theme.objects.active().order_by("name")
    return render(
        request,
        "coding/theme_suggestions.html",
        {
            "pending": [
                (s, display_name(s.suggested_by) if s.suggested_by else "a former coder")
                for s in pending
            ],
            "reviewed": reviewed,
            "themes": themes,
        },
    )


@login_required
@require_POST
def theme_suggestion_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    _curator(request)
    assert request.user.is_authenticated  # _curator
    suggestion = get_object_or_404(ThemeSuggestion, pk=pk)
    try:
        if decision == "accept":
            parent_id = request.POST.get("parent") or None
            parent = Theme.objects.active().filter(pk=parent_id).first() if parent_id else None
            theme = suggestions.suggestion_accept(
                suggestion=suggestion,
                actor=request.user,
                name=request.POST.get("name", ""),
                parent=parent,
            )
            messages.success(request, f"The theme “{theme.name}” is now in the codebook.")
        elif decision == "merge":
            target = get_object_or_404(Theme, pk=request.POST.get("target") or 0)
            theme = suggestions.suggestion_merge(
                suggestion=suggestion, actor=request.user, target=target
            )
            messages.success(
                request, f"“{suggestion.name}” is now a synonym of the theme “{theme.name}”."
            )
        elif decision == "decline":
            suggestions.suggestion_decline(suggestion=suggestion, actor=request.user)
            messages.success(request, f"The suggestion “{suggestion.name}” was declined.")
        else:
            raise ValueError(f"unknown decision {decision!r}")  # the URLs name only these three
    except services.CodingError as error:
        messages.error(request, str(error))
    return redirect("coding:theme_suggestions")
