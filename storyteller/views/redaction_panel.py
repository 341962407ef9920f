"""What the transcript studio shows of redactions: the form to take words out, suggestions of
words to check, the list of what was taken out (with an undo each), the redacted recording's
state. The actions are in `storyteller.views.redactions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from stories.audience import audience_for
from stories.models import RedactedMedia, Redaction, RedactionBy, Story, Transcript, display_name
from stories.redactions import REDACTABLE, redaction_suggestions, redactions_for
from stories.timecode import clock
from storyteller.forms import RedactForm

# Said beside the suggestions, so nobody trusts them more than they deserve.
SUGGESTIONS_FIND = (
    "These are found by plain patterns: email addresses, phone numbers, postcodes, street "
    "addresses with a house number, and capitalised words in the middle of a sentence that may "
    "be names. They miss names at the start of a sentence or written without a capital, "
    "nicknames, places and illnesses, and numbers said as words. Read your transcript too."
)


@dataclass
class RedactionRow:
    redaction: Redaction
    when: str
    who: str
    can_undo: bool


def may_redact(story: Story, transcript: Transcript | None) -> bool:
    """Whether the studio offers to take words out: a recording whose transcript is settled."""
    return bool(story.has_media) and story.status in REDACTABLE and transcript is not None


def redaction_context(
    story: Story, transcript: Transcript | None, request: HttpRequest, form: RedactForm | None
) -> dict[str, Any]:
    """What the studio shows of redactions: the form, suggestions, the list, the recording."""
    can_redact = may_redact(story, transcript)
    media = RedactedMedia.objects.filter(story=story).first()
    destroyed = media is not None and media.original_destroyed
    rows = [
        RedactionRow(
            redaction=r,
            when=f"{clock(r.start)} to {clock(r.end)}",
            who=r.get_by_display()
            + (
                f" ({display_name(r.marked_by)})"
                if r.marked_by_id and r.marked_by_id != story.storyteller_id
                else ""
            ),
            can_undo=not destroyed and r.by != RedactionBy.THIRD_PARTY,
        )
        for r in redactions_for(story, audience_for(request.user))
    ]
    return {
        "can_redact": can_redact,
        "redact_form": form or RedactForm(),
        "suggestions": redaction_suggestions(transcript) if can_redact and transcript else [],
        "suggestions_find": SUGGESTIONS_FIND,
        "redactions": rows,
        "redacted_media": media,
    }
