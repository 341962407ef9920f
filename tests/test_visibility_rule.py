"""The one visibility rule, checked against random consent histories (hypothesis).

The oracle below restates the consent model from the design in plain Python, independently of
the queryset filter; every audience must see exactly what it allows, no more and no less.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from stories.models import ConsentRecord, Project, ProjectMembership, Story, StoryStatus
from stories.visibility import PUBLIC_AUDIENCE, Audience, audience_for, story_parts
from tests.consent_histories import cast_users, consent_history

consent_rows = st.fixed_dictionaries(
    {
        "archive": st.booleans(),
        "researchers": st.booleans(),
        "public": st.booleans(),
        "quotes_allowed": st.booleans(),
        "named": st.booleans(),
        "withdrawn": st.booleans(),
        # days from now; None = no expiry / not sealed
        "expires_in": st.one_of(st.none(), st.integers(-30, 30).filter(lambda d: d != 0)),
        "sealed_for": st.one_of(st.none(), st.integers(-30, 30).filter(lambda d: d != 0)),
    }
).map(
    # Researchers and public both need the archive use: the form enforces it.
    lambda c: {**c, "archive": c["archive"] or c["researchers"] or c["public"]}
)

stories = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(list(StoryStatus)),
            "history": st.lists(consent_rows, min_size=0, max_size=3),
            "teller": st.sampled_from(["ann", "ben"]),
            "in_project": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


def oracle(audience_name: str, spec: dict, now: datetime.datetime) -> bool:
    """What the design says each audience may see."""
    if spec["status"] == "withdrawn":
        return False
    if audience_name == spec["teller"]:
        return True
    if not spec["history"]:
        return False
    c = spec["history"][-1]
    expires = c["expires_in"]
    live = not c["withdrawn"] and (expires is None or expires > 0)
    sealed = c["sealed_for"] is not None and c["sealed_for"] > 0
    if not live:
        return False
    public_ok = c["public"] and not sealed and spec["status"] == "published"
    if audience_name in ("public", "ann", "ben"):
        return public_ok
    if audience_name == "researcher":
        return public_ok or (
            c["researchers"] and not sealed and spec["status"] in ("approved", "published")
        )
    if audience_name == "contributor":
        return public_ok or (c["archive"] and not sealed and spec["in_project"])
    if audience_name == "curator":
        return public_ok or c["archive"]
    raise AssertionError(audience_name)


class VisibilityRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = cast_users(
            {
                "ann": ("storyteller",),
                "ben": ("storyteller",),
                "contributor": ("contributor",),
                "researcher": ("researcher",),
                "curator": ("curator",),
            }
        )
        cls.project = Project.objects.create(name="In", slug="in")
        cls.other = Project.objects.create(name="Out", slug="out")
        ProjectMembership.objects.create(project=cls.project, user=cls.users["contributor"])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs=stories)
    def test_each_audience_sees_exactly_what_consent_allows(self, specs):
        now = timezone.now()
        made = []
        for i, spec in enumerate(specs):
            story = Story.objects.create(
                title=f"s{i}",
                kind="text",
                status=spec["status"],
                storyteller=self.users[spec["teller"]],
                project=self.project if spec["in_project"] else self.other,
            )
            consent_history(story, spec["history"], now)
            made.append((story.pk, spec))

        audiences = {"public": PUBLIC_AUDIENCE}
        for name, user in self.users.items():
            audiences[name] = audience_for(user)
        for name, audience in audiences.items():
            seen = set(Story.objects.visible_to(audience).values_list("pk", flat=True))
            expected = {pk for pk, spec in made if oracle(name, spec, now)}
            assert seen == expected, f"{name} saw {sorted(seen)}, consent allows {sorted(expected)}"

    def test_anonymous_attribution_hides_the_name_from_everyone_but_teller_and_curator(self):
        now = timezone.now()
        teller = self.users["ann"]
        story = Story.objects.create(title="t", kind="text", status="published", storyteller=teller)
        record = ConsentRecord.objects.create(
            story=story,
            archive=True,
            public=True,
            attribution="anonymous",
            method="written",
            consent_text_version="t",
            given_at=now,
        )
        story.consent = record
        assert story_parts(PUBLIC_AUDIENCE, story).attribution == "Anonymous storyteller"
        assert story_parts(PUBLIC_AUDIENCE, story).quotes is False
        assert story_parts(audience_for(teller), story).attribution == "ann"
        curator = audience_for(self.users["curator"])
        assert story_parts(curator, story).identity is True
        assert story_parts(audience_for(self.users["researcher"]), story).identity is False

    def test_a_superuser_holds_every_role(self):
        boss = User.objects.create_superuser("boss")
        audience = audience_for(boss)
        assert audience.roles == {"storyteller", "contributor", "researcher", "curator"}
        assert isinstance(audience, Audience)
