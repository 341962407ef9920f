"""Template tags of the public pages: URLs from `public.links`, attribution from the rule."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from public import links
from stories.models import Story
from stories.redactions import MARK, media_for
from stories.timecode import clock
from stories.visibility import (
    CONTRIBUTOR,
    CURATOR,
    PUBLIC_AUDIENCE,
    RESEARCHER,
    StoryParts,
    audience_for,
    story_parts,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def story_url(context, story: Story, at: float | None = None, q: str = "") -> str:
    return links.story_url(story, context.get("request"), at=at, query=q)


@register.simple_tag(takes_context=True)
def value_url(context, value) -> str:
    return links.value_url(value, context.get("request"))


@register.simple_tag(takes_context=True)
def theme_url(context, theme) -> str:
    return links.theme_url(theme, context.get("request"))


@register.simple_tag(takes_context=True)
def project_url(context, project) -> str:
    return links.project_url(project, context.get("request"))


@register.simple_tag(takes_context=True)
def archive_index_url(context) -> str:
    return links.archive_index(context.get("request")).get_url(context.get("request"))


@register.simple_tag
def story_media_url(story: Story) -> str:
    return links.story_media_url(story)


@register.simple_tag
def story_photo_url(story: Story) -> str:
    return links.story_photo_url(story)


@register.simple_tag
def story_captions_url(story: Story) -> str:
    return links.story_captions_url(story)


@register.simple_tag
def public_parts(story: Story) -> StoryParts:
    """What the public may see of a story (attribution, quotes) — the visibility rule's answer."""
    return story_parts(PUBLIC_AUDIENCE, story)


@register.simple_tag
def public_search_url() -> str:
    """The public search page, or an empty string while the search app has none."""
    try:
        return reverse("search:public")
    except NoReverseMatch:
        return ""


@register.filter
def timecode(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    if seconds is None or seconds == "":
        return ""
    return clock(float(seconds))


@register.filter
def spoken_duration(seconds) -> str:
    """A duration for people: "45 seconds", "3 minutes", "1 hour 5 minutes"."""
    if not seconds:
        return ""
    total = round(float(seconds))
    if total < 60:
        return f"{total} second{'s' if total != 1 else ''}"
    hours, rest = divmod(total, 3600)
    minutes = round(rest / 60) if not hours else rest // 60
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def machine_seconds(seconds) -> str:
    """Seconds for a data attribute or URL: plain, without locale formatting."""
    return f"{float(seconds):.3f}".rstrip("0").rstrip(".") if seconds is not None else ""


@register.simple_tag(takes_context=True)
def nav_links(context) -> list[tuple[str, str]]:
    """The main navigation as (label, address): public parts first, then what the signed-in
    person's roles open to them. A part of the site that is missing gets no link."""
    request = context.get("request")
    try:
        explore = links.archive_index(request).get_url(request)
    except ImproperlyConfigured:
        explore = ""
    items = [("Explore", explore), ("Search", public_search_url())]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audience = audience_for(user)
        items += [
            ("My stories", reverse("storyteller:my_stories")),
            ("Tell a story", reverse("storyteller:new")),
        ]
        if any(audience.has(role) for role in (CONTRIBUTOR, RESEARCHER, CURATOR)):
            items += [
                ("Coding", reverse("coding:workspace")),
                ("Research", reverse("search:research")),
                ("Charts", reverse("charts:index")),
            ]
        if audience.has(CURATOR) and user.is_staff:
            items.append(("Admin", reverse("wagtailadmin_home")))
    return [(label, url) for label, url in items if url]


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or None: for dictionaries keyed by id in templates."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def story_part_url(context, story: Story, name: str) -> str:
    """One of a story's own addresses (cite_bib, cite_json, embed)."""
    return links.for_request(context.get("request")).story_part(story, name)


@register.simple_tag
def transcript_url(story: Story, fmt: str) -> str:
    return links.transcript_download_url(story, fmt)


REDACTED_WHY = "Words taken out on purpose, to protect someone's privacy"
_REDACTED_HTML = format_html(
    '<mark class="redacted" title="{}">{}'
    '<span class="visually-hidden w-sr-only"> ({})</span></mark>',
    REDACTED_WHY,
    MARK,
    REDACTED_WHY.lower(),
)


@register.filter(is_safe=True)
def redaction_marks(text: Any) -> SafeString:
    """Transcript words as HTML with each "[redacted]" shown as a mark that says a person chose
    it (styled, with the why for screen readers). Text already made safe (a line with search
    words marked) keeps its tags; anything else is escaped first."""
    escaped = str(conditional_escape("" if text is None else text))
    return mark_safe(escaped.replace(MARK, _REDACTED_HTML))  # noqa: S308  (escaped above)


@register.simple_tag(takes_context=True)
def recording_held(context, story: Story) -> bool:
    """Whether the recording is held back from this viewer: words were taken out and the
    redacted recording is not ready yet, so the page shows a sentence instead of a player."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(story.has_media) and media_for(story, audience_for(user)) is None
