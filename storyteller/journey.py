"""A story's path as its storyteller sees it: each step, who takes it, and what comes next.

uploaded → transcribed → you checked it → a curator publishes it → shared as you agreed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from public.links import ArchiveLinks
from stories.models import Story, StoryStatus
from stories.models.story import why_not_public

S = StoryStatus
DONE, CURRENT, TODO = "done", "current", "todo"
# Where each status stands on the path (text stories skip transcription).
_ORDER: dict[str, int] = {
    S.DRAFT: 0,
    S.UPLOADED: 1,
    S.TRANSCRIBING: 1,
    S.AWAITING_REVIEW: 2,
    S.APPROVED: 3,
    S.PUBLISHED: 4,
}


@dataclass(frozen=True)
class Step:
    name: str
    who: str
    state: str  # done, current or todo
    detail: str = ""
    action_url: str = ""
    action_label: str = ""


def journey(
    story: Story, *, percent: int | None = None, problem: str = "", links: ArchiveLinks
) -> list[Step]:
    """The steps of this story's path, the current one marked; empty once withdrawn."""
    if story.status == S.WITHDRAWN:
        return []
    at = _ORDER[story.status]

    def state(position: int) -> str:
        return DONE if position < at else CURRENT if position == at else TODO

    steps = [
        Step(
            "Told",
            "You",
            state(0),
            "Not finished yet: finish telling it." if at == 0 else "Stored safely.",
        )
    ]
    if story.has_media:
        steps.append(
            Step("Transcribed", "The archive, by itself", state(1), _transcribing(percent, problem))
        )
    checked = state(2)
    review = reverse("storyteller:review", args=[story.pk])
    steps.append(
        Step(
            "You checked it",
            "You",
            checked,
            "Ready for you: read it through, correct any words and approve it."
            if checked == CURRENT
            else "",
            action_url=review if checked == CURRENT else "",
            action_label=("Check the transcript" if story.has_media else "Read it through")
            if checked == CURRENT
            else "",
        )
    )
    steps.append(Step("A curator publishes it", "A curator", state(3), _publishing(story, at)))
    steps.append(_shared(story, at, links))
    return steps


def _transcribing(percent: int | None, problem: str) -> str:
    if problem:
        return f"Transcription failed: {problem} A curator can run it again."
    if percent is not None:
        return f"{percent}% done."
    return "Usually ready within minutes of the upload."


def _publishing(story: Story, at: int) -> str:
    if at > 3:
        return (
            f"Published on {date_format(story.published_at, 'j F Y')}."
            if story.published_at
            else ""
        )
    if at < 3:
        return "After you approve it."
    if story.publish_at:
        return f"Due to be published on {date_format(story.publish_at, 'j F Y, H:i')}."
    return "Waiting for a curator to check it and publish it; nothing for you to do."


def _shared(story: Story, at: int, links: ArchiveLinks) -> Step:
    consent = story.consent
    public = consent is not None and consent.public
    name = "Public" if public else "Shared as you agreed"
    if at < 4:
        detail = (
            "Anyone can then read or hear it on the archive's website."
            if public
            else "Only the people you agreed to (the archive, approved researchers) can see it."
        )
        return Step(name, "", TODO, detail)
    reason = why_not_public(story, timezone.now())
    if reason is None:
        return Step(
            name,
            "",
            DONE,
            "Anyone can read or hear it now.",
            action_url=links.story(story),
            action_label="See its public page",
        )
    if public:  # published, but sealed or its consent has ended
        return Step(name, "", CURRENT, f"Not public yet: {reason}.")
    return Step(name, "", DONE, "Seen only by the people you agreed to.")
