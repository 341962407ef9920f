"""The cast and consent histories shared by the property tests of the visibility rule.

`cast_users` makes the named people with their role groups; `consent_history` records a drawn
list of consent rows on a story and makes the last one current, as the rule reads it.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, User

from stories.models import ConsentRecord, Story


def cast_users(roles_by_name: dict[str, tuple[str, ...]]) -> dict[str, User]:
    """{name: user} with each user in the groups of their roles."""
    users = {}
    for name, roles in roles_by_name.items():
        user = User.objects.create_user(name)
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        users[name] = user
    return users


def consent_history(
    story: Story, history: list[dict], now: datetime.datetime
) -> ConsentRecord | None:
    """Record each drawn consent row in order; the last becomes the story's current consent.

    A row holds the consent booleans, optionally `named`, and `expires_in` / `sealed_for` in days
    from `now` (None: no expiry, not sealed).
    """
    record = None
    for c in history:
        record = ConsentRecord.objects.create(
            story=story,
            archive=c["archive"],
            researchers=c["researchers"],
            public=c["public"],
            quotes_allowed=c["quotes_allowed"],
            attribution="named" if c.get("named") else "anonymous",
            method="written",
            consent_text_version="t",
            given_at=now,
            withdrawn=c["withdrawn"],
            expires_at=None
            if c["expires_in"] is None
            else now + datetime.timedelta(days=c["expires_in"]),
            sealed_until=None
            if c["sealed_for"] is None
            else (now + datetime.timedelta(days=c["sealed_for"])).date(),
        )
    Story.objects.filter(pk=story.pk).update(consent=record)
    return record
