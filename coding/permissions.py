"""Who may do what in the coding workspace.

- Coding (tags that count at once): contributors, researchers and curators, on the stories the
  visibility rule lets them see, and only where the storyteller agreed to keep the story in the
  archive. Researchers code too: in this archive they are co-researchers, and their codes are
  what agreement compares. A researcher sees only approved stories with researcher consent, so
  that is what they can code.
- Proposing: the storyteller, on their own story, whatever else they may do; a proposal waits
  for review and is shown to them with its outcome.
- Reviewing proposals (accept or decline): contributors and curators who can code the story.
- Changing or removing a tag: the person who made it (a proposal only while it waits), or a
  curator who can see the story. Nobody edits another coder's codes: agreement would mean
  nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from coding.models import Tag, TagStatus
from stories.models import Story
from stories.visibility import CONTRIBUTOR, CURATOR, RESEARCHER, Audience

CODER_ROLES = (CONTRIBUTOR, RESEARCHER, CURATOR)
REVIEWER_ROLES = (CONTRIBUTOR, CURATOR)


def is_coder(audience: Audience) -> bool:
    return any(audience.has(role) for role in CODER_ROLES)


def can_export(audience: Audience) -> bool:
    """Coded-excerpt exports (memos, coders' names, quotes) are for the people who code, as the
    coding pages are; what an export holds is then what the visibility rule and `story_parts`
    let that coder see."""
    return is_coder(audience)


def codable_stories(audience: Audience) -> QuerySet[Story]:
    """Stories `audience` may code: visible to them and kept in the archive by consent."""
    if not is_coder(audience):
        return Story.objects.none()
    return Story.objects.visible_to(audience).filter(consent__archive=True)


def can_code(audience: Audience, story: Story) -> bool:
    return codable_stories(audience).filter(pk=story.pk).exists()


def is_storyteller_of(audience: Audience, story: Story) -> bool:
    return audience.user_id is not None and audience.user_id == story.storyteller_id


def can_review(audience: Audience, story: Story, *, codes: bool | None = None) -> bool:
    """Accept or decline proposals; `codes` is can_code() when the caller already knows it."""
    if not any(audience.has(role) for role in REVIEWER_ROLES):
        return False
    return can_code(audience, story) if codes is None else codes


def can_change_tag(audience: Audience, tag: Tag, *, codes: bool | None = None) -> bool:
    """Edit or remove `tag`; `codes` is can_code() on its story when the caller knows it."""
    own = audience.user_id is not None and tag.created_by_id == audience.user_id
    if tag.status == TagStatus.PROPOSED:
        return own
    if tag.status == TagStatus.DECLINED:
        return False
    if own:
        return can_code(audience, tag.story) if codes is None else codes
    if audience.has(CURATOR):
        return can_code(audience, tag.story) if codes is None else codes
    return False
