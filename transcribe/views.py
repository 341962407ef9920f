"""A story's transcript as a file: WebVTT, SRT, plain text or JSON, for whoever may see it.

The WebVTT file is the caption track of the story page's player: the words in their place, for
everyone who may see the story (`StoryParts.transcript`). The other formats are the transcript
to take away, a quote: only where `StoryParts.quotes` allows (see `stories.visibility`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from stories.models import Story, Transcript
from stories.transcripts import segment_words
from stories.visibility import audience_for, speaker_name, story_parts
from transcribe.formats import FORMATS, render

CAPTIONS = frozenset({"vtt"})  # what the player loads beside the recording
NOT_QUOTABLE = (
    "The storyteller did not agree to their words being quoted, so their transcript is not "
    "offered as a file. Read it beside the recording on the story's page, where its captions "
    "are too."
)


def transcript_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The visibility rule decides: a story this person may not see has no transcript here."""
    if fmt not in FORMATS:
        raise Http404("Transcripts come as .vtt, .srt, .txt or .json.")
    audience = audience_for(request.user)
    story = (
        Story.objects.visible_to(audience)
        .select_related("consent", "storyteller__storyteller_profile")
        .filter(pk=pk)
        .first()
    )
    transcript = Transcript.objects.filter(story=story).first() if story else None
    if story is None or transcript is None:
        raise Http404("There is no transcript you can see at this address.")
    parts = story_parts(audience, story)
    if not (parts.transcript if fmt in CAPTIONS else parts.quotes):
        refused = HttpResponse(NOT_QUOTABLE, status=403, content_type="text/plain; charset=utf-8")
        refused["Cache-Control"] = "private, no-store"
        return refused
    segments = list(transcript.segments.select_related("speaker"))
    for segment in segments:
        segment.words = segment_words(segment)  # never a word the text no longer has
        # The name this reader may see: the storyteller's own voice as the consent names them.
        segment.speaker_name = speaker_name(segment.speaker, parts)  # type: ignore[attr-defined]
    meta = {
        "story": story.pk,
        "title": story.title,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "duration": transcript.duration,
        "engine": transcript.engine,
        "model": transcript.model_name,
        # The note can name the file a curator imported (often after the person who spoke):
        # only the storyteller and curators, who know who told the story, read it.
        "note": transcript.note if parts.identity else "",
        "approved": transcript.approved_at is not None,
    }
    _, suffix, content_type = FORMATS[fmt]
    response = HttpResponse(render(fmt, segments, **meta), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="story-{story.pk}-transcript.{suffix}"'
    response["Cache-Control"] = "private, no-store"  # consent can change at any time
    if fmt in CAPTIONS and audience.is_public:
        # What anyone may read: a player on another site (a IIIF viewer) may load the captions.
        response["Access-Control-Allow-Origin"] = "*"
    return response
