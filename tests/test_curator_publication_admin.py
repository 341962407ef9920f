"""Publication in the curator's admin: the per-story actions, the bulk actions, and who may
use them (curators only, and only on stories the visibility rule lets them see)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from stories.models import Story, StoryEvent, StoryStatus

pytestmark = pytest.mark.django_db

S = StoryStatus
LISTING = "/admin/snippets/stories/story/"


def _url(action: str, story: Story) -> str:
    return reverse(f"publication_admin:{action}", args=[story.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_listing_offers_publish_and_schedule_or_unpublish(client, curator, make_story):
    approved = make_story(status="approved", title="Ready to go")
    published = make_story(title="Out already")
    client.force_login(curator)
    html = client.get(LISTING).content.decode()
    assert _url("publish", approved) in html and _url("schedule", approved) in html
    assert _url("unpublish", published) in html
    assert _url("publish", published) not in html


def test_a_curator_confirms_then_publishes(client, curator, make_story):
    story = make_story(status="approved", title="Ready to go")
    client.force_login(curator)
    page = client.get(_url("publish", story)).content.decode()
    assert "will be shown on the public site" in page and "csrfmiddlewaretoken" in page
    story.refresh_from_db()
    assert story.status == S.APPROVED  # looking changes nothing
    response = client.post(_url("publish", story))
    assert response.status_code == 302 and response["Location"] == LISTING
    story.refresh_from_db()
    assert story.status == S.PUBLISHED
    assert any("is published" in m for m in _messages(response))
    assert StoryEvent.objects.get(story_id=story.pk, action="story.published").actor == curator


def test_a_refusal_shows_its_reason_as_an_error(client, curator, make_story):
    story = make_story(status="approved", consent={"public": False}, title="Not for show")
    client.force_login(curator)
    page = client.get(_url("publish", story)).content.decode()
    assert "has not agreed to their story being shown publicly" in page
    response = client.post(_url("publish", story), follow=True)
    story.refresh_from_db()
    assert story.status == S.APPROVED
    (message,) = list(response.context["messages"])
    assert message.level_tag == "error"
    assert "was not published" in message.message and "shown publicly" in message.message


def test_a_curator_unpublishes(client, curator, make_story):
    story = make_story(title="Out already")
    client.force_login(curator)
    assert "taken off the public site" in client.get(_url("unpublish", story)).content.decode()
    assert client.post(_url("unpublish", story)).status_code == 302
    story.refresh_from_db()
    assert story.status == S.APPROVED


def test_a_curator_schedules_and_cancels_a_publication(client, curator, make_story):
    story = make_story(status="approved")
    client.force_login(curator)
    when = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(_url("schedule", story), {"publish_at": f"{when:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.publish_at == when.replace(second=0, microsecond=0)
    assert story.publish_scheduled_by == curator
    assert client.post(_url("schedule", story), {"publish_at": ""}).status_code == 302
    story.refresh_from_db()
    assert story.publish_at is None


def test_scheduling_in_the_past_is_refused_on_the_form(client, curator, make_story):
    story = make_story(status="approved")
    client.force_login(curator)
    past = timezone.localtime() - datetime.timedelta(days=1)
    response = client.post(_url("schedule", story), {"publish_at": f"{past:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    story.refresh_from_db()
    assert story.publish_at is None


@pytest.mark.parametrize("role", ["storyteller", "contributor", "researcher", "stranger"])
def test_no_one_but_a_curator_reaches_the_publication_views(client, request, make_story, role):
    person = request.getfixturevalue(role)
    approved = make_story(status="approved", title="Ready to go")
    published = make_story(title="Out already")
    client.force_login(person)
    for action, story in (
        ("publish", approved),
        ("schedule", approved),
        ("unpublish", published),
    ):
        for method in (client.get, client.post):
            response = method(_url(action, story))
            # The admin turns them away at its door: to its sign-in page, never a 200.
            assert response.status_code == 302, (action, method)
            assert response["Location"].startswith(reverse("wagtailadmin_login"))
    for action_type, story in (("publish", approved), ("unpublish", published)):
        bulk = client.post(f"/admin/bulk/stories/story/{action_type}/?id={story.pk}")
        assert bulk.status_code == 302
        assert bulk["Location"].startswith(reverse("wagtailadmin_login"))
    approved.refresh_from_db()
    published.refresh_from_db()
    assert (approved.status, published.status) == (S.APPROVED, S.PUBLISHED)


def test_someone_with_admin_access_but_not_a_curator_is_refused(
    client, django_user_model, make_story
):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user(username="ed", password="pw-ed")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    story = make_story(status="approved")
    client.force_login(editor)
    response = client.post(_url("publish", story))
    assert response.status_code in (302, 403)
    assert "login" not in response.get("Location", "")  # let in, then refused
    story.refresh_from_db()
    assert story.status == S.APPROVED


def test_a_story_the_curator_may_not_see_is_not_found(client, curator, make_story):
    hidden = make_story(
        status="approved",
        title="Kept to themselves",
        consent={"archive": False, "researchers": False, "public": False},
    )
    client.force_login(curator)
    for action in ("publish", "unpublish", "schedule"):
        assert client.get(_url(action, hidden)).status_code == 404
        assert client.post(_url(action, hidden)).status_code == 404
    page = client.get(f"/admin/bulk/stories/story/publish/?id={hidden.pk}").content.decode()
    assert "Kept to themselves" not in page
    hidden.refresh_from_db()
    assert hidden.status == S.APPROVED


def test_bulk_publish_reports_which_were_published_and_which_refused_and_why(
    client, curator, make_story
):
    ready = make_story(status="approved", title="Ready to go")
    private = make_story(status="approved", consent={"public": False}, title="Not for show")
    waiting = make_story(status="awaiting_review", title="Still in review")
    client.force_login(curator)
    ids = f"id={ready.pk}&id={private.pk}&id={waiting.pk}"
    confirm = client.get(f"/admin/bulk/stories/story/publish/?{ids}").content.decode()
    assert all(t in confirm for t in ("Ready to go", "Not for show", "Still in review"))
    response = client.post(f"/admin/bulk/stories/story/publish/?{ids}&next={LISTING}")
    assert response.status_code == 302
    messages = _messages(response)
    assert any(m.startswith("Published: “Ready to go”") for m in messages)
    assert any("Not published: “Not for show”" in m and "shown publicly" in m for m in messages)
    assert any("Not published: “Still in review”" in m and "not approved" in m for m in messages)
    statuses = dict(Story.objects.values_list("title", "status"))
    assert statuses == {
        "Ready to go": S.PUBLISHED,
        "Not for show": S.APPROVED,
        "Still in review": S.AWAITING_REVIEW,
    }


def test_bulk_unpublish_takes_the_chosen_stories_off(client, curator, make_story):
    first = make_story(title="First")
    second = make_story(title="Second")
    make_story(title="Kept")
    client.force_login(curator)
    response = client.post(f"/admin/bulk/stories/story/unpublish/?id={first.pk}&id={second.pk}")
    assert response.status_code == 302
    assert any(m.startswith("Unpublished:") for m in _messages(response))
    statuses = dict(Story.objects.values_list("title", "status"))
    assert statuses == {"First": S.APPROVED, "Second": S.APPROVED, "Kept": S.PUBLISHED}
