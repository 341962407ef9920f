"""The coded-excerpt export obeys the coding pages' permission: coders only.

It holds coders' memos and names; a signed-in storyteller or a person with no role gets 403
(as the coding screen answers them), whatever the format.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.services import Excerpt, tag_create
from stories.models import Value

pytestmark = pytest.mark.django_db

MEMO = "Memo about the allotment quarrel"


@pytest.fixture
def coded_public_story(make_story, contributor):
    story = make_story(title="The garden group")
    equality = Value.objects.get(slug="equality")
    tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 4), memo=MEMO
    )
    return story


@pytest.mark.parametrize("who", ["storyteller", "stranger"])
@pytest.mark.parametrize("params", [{}, {"format": "csv"}, {"format": "json"}, {"format": "qdpx"}])
def test_people_who_do_not_code_get_403(client, request, coded_public_story, who, params):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("coding:export"), params)
    assert response.status_code == 403
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert MEMO.encode() not in body
    assert b"Connor" not in body


def test_the_workspace_offers_the_export_only_to_coders(client, storyteller, researcher):
    client.force_login(storyteller)
    assert reverse("coding:export") not in client.get(reverse("coding:workspace")).content.decode()
    client.force_login(researcher)
    assert reverse("coding:export") in client.get(reverse("coding:workspace")).content.decode()


def test_a_researcher_gets_the_export(client, researcher, coded_public_story):
    client.force_login(researcher)
    assert client.get(reverse("coding:export")).status_code == 200
    response = client.get(reverse("coding:export"), {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert MEMO in body
    assert coded_public_story.title in body


def test_the_public_is_sent_to_sign_in(client, coded_public_story):
    response = client.get(reverse("coding:export"), {"format": "csv"})
    assert response.status_code == 302
    assert "login" in response["Location"]
