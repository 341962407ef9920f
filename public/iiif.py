"""IIIF Presentation 3 manifests of public recordings, and a IIIF collection per collection page.

A manifest holds one canvas as long as the recording: the recording itself (served by the
protected `stories:media` view), its captions (the WebVTT transcript, which whoever may see the
story may read: `StoryParts.transcript`) as a supplementing annotation, and the story's chapters
as ranges. Its metadata and its required statement come from the consent: the name the
storyteller agreed to be shown, and what they allowed. Only stories the public may see have one;
viewers on other sites load them, so these two views (and only these) allow any origin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from public import links, reads
from stories.addresses import site_url
from stories.models import Chapter, Story, StoryKind
from stories.pages import cache_public_response
from stories.views import media_type
from stories.visibility import PUBLIC_AUDIENCE, story_parts

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
JSON_LD = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
# The storyteller keeps the rights in their story; the archive shows it with their consent.
RIGHTS = "http://rightsstatements.org/vocab/InC/1.0/"
BODY_TYPES = {StoryKind.AUDIO: "Sound", StoryKind.VIDEO: "Video"}
# A canvas's width and height are a coordinate space for video, not the file's size.
VIDEO_CANVAS = (1280, 720)


def manifest_url(story: Story) -> str:
    return site_url(reverse("iiif-manifest", args=[story.pk]))


def collection_url(page_id: int) -> str:
    return site_url(reverse("iiif-collection", args=[page_id]))


def _text(value: str, language: str = "en") -> dict[str, list[str]]:
    return {language or "none": [value]}


def _entry(label: str, value: str) -> dict[str, Any]:
    return {"label": _text(label), "value": _text(value)}


@require_safe
def story_manifest(request: HttpRequest, pk: int) -> HttpResponse:
    story = reads.manifest_story(pk)
    if story is None or not story.has_media or not story.media:
        if Story.objects.was_withdrawn(pk):
            return _cors(HttpResponse("This story was withdrawn by its storyteller.", status=410))
        raise Http404("No public recording has this manifest.")
    return _json(request, manifest(story, request))


@require_safe
def collection_manifest(request: HttpRequest, page_id: int) -> HttpResponse:
    page = reads.live_collections().filter(pk=page_id).first()
    if page is None:
        raise Http404("No public collection has this address.")
    stories = [s for s in page.visible_stories(PUBLIC_AUDIENCE) if s.has_media and s.media]
    document = {
        "@context": CONTEXT,
        "id": collection_url(page.pk),
        "type": "Collection",
        "label": _text(page.title),
        "homepage": [
            {
                "id": site_url(page.url),
                "type": "Text",
                "label": _text(page.title),
                "format": "text/html",
            }
        ],
        "items": [
            {"id": manifest_url(story), "type": "Manifest", "label": _text(story.title)}
            for story in stories
        ],
    }
    summary = strip_tags(page.introduction).strip()
    if summary:
        document["summary"] = _text(summary)
    return _json(request, document)


def manifest(story: Story, request: HttpRequest | None = None) -> dict[str, Any]:
    """The IIIF Presentation 3 manifest of a public audio or video story."""
    parts = story_parts(PUBLIC_AUDIENCE, story)
    base = manifest_url(story)
    canvas_id = f"{base}#canvas"  # one canvas: an id inside the manifest's own document
    duration = _duration(story)
    media = story.media.name
    body: dict[str, Any] = {
        "id": site_url(links.story_media_url(story)),
        "type": BODY_TYPES[StoryKind(story.kind)],
        "format": media_type(media, story.kind),
    }
    canvas: dict[str, Any] = {
        "id": canvas_id,
        "type": "Canvas",
        "label": _text(story.title),
        "items": [
            {
                "id": f"{base}#painting",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{base}#recording",
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": body,
                        "target": canvas_id,
                    }
                ],
            }
        ],
    }
    if duration:
        canvas["duration"] = body["duration"] = duration
    if story.kind == StoryKind.VIDEO:
        canvas["width"], canvas["height"] = VIDEO_CANVAS
    if parts.transcript and getattr(story, "has_segments", False):
        canvas["annotations"] = [
            {
                "id": f"{base}#captions",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{base}#captions-vtt",
                        "type": "Annotation",
                        "motivation": "supplementing",
                        "body": {
                            "id": site_url(links.story_captions_url(story)),
                            "type": "Text",
                            "format": "text/vtt",
                            "label": _text("Captions"),
                            "language": story.language or "en",
                        },
                        "target": canvas_id,
                    }
                ],
            }
        ]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": base,
        "type": "Manifest",
        "label": _text(story.title, story.language),
        "metadata": _metadata(story, parts.attribution),
        "requiredStatement": _entry(
            "Attribution",
            f"Told by {parts.attribution}. Shown by the {_archive_name()} with the storyteller's "
            "consent, which they may withdraw at any time.",
        ),
        "rights": RIGHTS,
        "homepage": [
            {
                "id": links.story_url(story, request, full=True),
                "type": "Text",
                "label": _text(story.title, story.language),
                "format": "text/html",
            }
        ],
        "items": [canvas],
    }
    if story.summary:
        document["summary"] = _text(story.summary, story.language)
    photo = getattr(story, "photo", None)
    if photo is not None:
        document["thumbnail"] = [
            {
                "id": site_url(links.story_photo_url(story)),
                "type": "Image",
                "format": "image/jpeg",
                "width": photo.width,
                "height": photo.height,
            }
        ]
    ranges = _ranges(story, canvas_id, base, duration)
    if ranges:
        document["structures"] = ranges
    return document


def _metadata(story: Story, attribution: str) -> list[dict[str, Any]]:
    terms = reads.story_terms(story)
    entries = [_entry("Told by", attribution)]
    if story.told_on:
        entries.append(_entry("Told on", story.told_on.isoformat()))
    if story.project is not None:
        entries.append(_entry("Project", story.project.name))
    if terms.values:
        entries.append(_entry("Values", ", ".join(v.name for v in terms.values)))
    if terms.themes:
        entries.append(_entry("Themes", ", ".join(t.name for t in terms.themes)))
    entries.append(_entry("Language", story.language))
    return entries


def _ranges(
    story: Story, canvas_id: str, base: str, duration: float | None
) -> list[dict[str, Any]]:
    chapters: list[Chapter] = list(getattr(story, "public_chapters", []))
    if not chapters:
        return []
    items = []
    for index, chapter in enumerate(chapters):
        following = chapters[index + 1].start if index + 1 < len(chapters) else duration
        end = chapter.end or following
        span = f"t={chapter.start:g}" + (f",{end:g}" if end else "")
        entry: dict[str, Any] = {
            "id": f"{base}#chapter-{chapter.pk}",
            "type": "Range",
            "label": _text(chapter.title, story.language),
            # The part of the canvas the chapter covers, as a media fragment (#t=start,end).
            "items": [
                {
                    "type": "SpecificResource",
                    "source": canvas_id,
                    "selector": {
                        "type": "FragmentSelector",
                        "conformsTo": "http://www.w3.org/TR/media-frags/",
                        "value": span,
                    },
                }
            ],
        }
        if chapter.synopsis:
            entry["summary"] = _text(chapter.synopsis, story.language)
        if chapter.keyword_list:
            entry["metadata"] = [_entry("Keywords", ", ".join(chapter.keyword_list))]
        items.append(entry)
    return [
        {
            "id": f"{base}#chapters",
            "type": "Range",
            "label": _text("Chapters"),
            "items": items,
        }
    ]


def _duration(story: Story) -> float | None:
    if story.media_duration:
        return float(story.media_duration)
    transcript = getattr(story, "transcript", None)
    if transcript is not None and transcript.duration:
        return float(transcript.duration)
    return None


def _archive_name() -> str:
    return str(settings.WAGTAIL_SITE_NAME)


def _cors(response: HttpResponse) -> HttpResponse:
    # Viewers (Universal Viewer, Mirador, Aviary…) on other sites fetch manifests by script.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = JSON_LD
    return _cors(cache_public_response(request, response))
