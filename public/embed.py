"""oEmbed (https://oembed.com/) for public stories: other sites ask here how to embed a story
page, and get an iframe of its embed page. A story the public may not see is not found."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html

from public import links, reads
from stories.pages import cache_public_response
from stories.visibility import PUBLIC_AUDIENCE, story_parts

_STORY_PATH = re.compile(r"/stories/(\d+)(?:-[-\w]+)?/")
WIDTH, AUDIO_HEIGHT, VIDEO_HEIGHT = 640, 200, 420


def oembed(request: HttpRequest) -> HttpResponse:
    found = _STORY_PATH.search(urlsplit(request.GET.get("url", "")).path)
    story = reads.visible_story(int(found.group(1)), PUBLIC_AUDIENCE) if found else None
    if story is None or not story.has_media:
        raise Http404("No public recording has this address.")
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only JSON is offered.", status=501, content_type="text/plain")
    width = _bounded(request.GET.get("maxwidth"), WIDTH)
    height = _bounded(
        request.GET.get("maxheight"), VIDEO_HEIGHT if story.kind == "video" else AUDIO_HEIGHT
    )
    site = links.for_request(request)
    src = site.story_part(story, "embed", full=True)
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" '
        'allow="fullscreen" style="border:0"></iframe>',
        src,
        width,
        height,
        story.title,
    )
    parts = story_parts(PUBLIC_AUDIENCE, story)
    answer = {
        "version": "1.0",
        "type": "video",  # oEmbed's type for a player, audio included
        "title": story.title,
        "provider_name": "Community Story Archive",
        "provider_url": site.route("index", full=True),
        "html": str(html),
        "width": width,
        "height": height,
        # Kept short, like the public pages, so that a withdrawal reaches other sites soon.
        "cache_age": settings.ARCHIVE_PUBLIC_CACHE_SECONDS,
    }
    if story.consent is not None and story.consent.attribution == "named":
        answer["author_name"] = parts.attribution  # as the consent allows
    return cache_public_response(request, JsonResponse(answer))


def _bounded(raw: str | None, default: int) -> int:
    try:
        asked = int(raw) if raw else default
    except ValueError:
        return default
    return max(100, min(default, asked))
