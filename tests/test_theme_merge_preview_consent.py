"""Merging themes counts, for the curator, only the tags on stories they may see.

The merge still moves every tag of the theme (the taxonomy stays whole); the preview says that
tags on stories the curator may not see move too, without counting or naming them.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from coding.models import Tag
from coding.services import tag_create, theme_create, theme_merge_preview
from stories import services
from stories.models import ConsentMethod
from stories.visibility import audience_for

pytestmark = pytest.mark.django_db

MERGE = "/admin/themes/merge/"
NOT_KEPT = {"archive": False, "researchers": False, "public": False}


@pytest.fixture
def themes_on_seen_and_unseen(make_story, contributor, storyteller):
    source = theme_create(name="Loneliness")
    target = theme_create(name="Isolation")
    seen = make_story(title="Seen by the curator")
    taken_out = make_story(title="Taken out of the archive")
    expired = make_story(title="Consent ran out")
    for story in (seen, taken_out, expired):
        tag_create(story=story, actor=contributor, code=source)
    # The storyteller unticks "keep in the archive"; another consent runs out.
    services.consent_record(
        story=taken_out, actor=storyteller, method=ConsentMethod.WRITTEN, **NOT_KEPT
    )
    services.consent_record(
        story=expired,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        public=True,
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    return source, target, seen


def test_the_preview_counts_only_what_the_curator_may_see(curator, themes_on_seen_and_unseen):
    source, target, _seen = themes_on_seen_and_unseen
    preview = theme_merge_preview(source=source, target=target, audience=audience_for(curator))
    assert (preview["tags"], preview["stories"], preview["others"]) == (1, 1, True)


def test_nothing_hidden_means_no_word_of_others(curator, make_story, contributor):
    source, target = theme_create(name="Loneliness"), theme_create(name="Isolation")
    tag_create(story=make_story(), actor=contributor, code=source)
    preview = theme_merge_preview(source=source, target=target, audience=audience_for(curator))
    assert (preview["tags"], preview["stories"], preview["others"]) == (1, 1, False)


def test_the_merge_screen_counts_what_the_curator_sees_and_still_moves_every_tag(
    client, curator, themes_on_seen_and_unseen
):
    source, target, _seen = themes_on_seen_and_unseen
    client.force_login(curator)
    page = client.post(MERGE, {"source": source.pk, "target": target.pk}).content.decode()
    assert "1 tag on 1 story" in page
    assert "3 tags" not in page and "3 stories" not in page
    assert "Tags on stories you may not see move too" in page
    assert "Taken out of the archive" not in page and "Consent ran out" not in page

    done = client.post(MERGE, {"source": source.pk, "target": target.pk, "confirm": "True"})
    assert done.status_code == 302
    assert not Tag.objects.filter(theme=source).exists()
    assert Tag.objects.filter(theme=target).count() == 3
    said = " ".join(str(m) for m in get_messages(done.wsgi_request))
    assert "1 tag on 1 story moved" in said
    assert "3" not in said


def test_deleting_a_theme_does_not_count_tags_the_curator_may_not_see(
    client, curator, themes_on_seen_and_unseen
):
    source, _target, _seen = themes_on_seen_and_unseen
    client.force_login(curator)
    response = client.post(f"/admin/snippets/stories/theme/delete/{source.pk}/")
    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "is on 1 tag," in said
