"""The curator's desk on the dashboard: each queue's count, through the visibility rule."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coding.models import Tag, TagStatus
from curation.dashboard import CuratorDeskPanel
from stories import services
from stories.models import StoryEvent, Theme
from tests.conftest import make_user
from transcribe.models import JobState, TranscriptionJob

pytestmark = pytest.mark.django_db

HIDDEN = {"archive": False, "researchers": False, "public": False}
ROW = re.compile(r'<tr data-queue="(\w+)">.*?<td data-count>(\d+)</td>', re.S)


def desk_counts(client) -> dict[str, int]:
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    return {key: int(count) for key, count in ROW.findall(html)}


def job(story, state: str, *, run_after=None, lease_expires_at=None) -> TranscriptionJob:
    return TranscriptionJob.objects.create(
        story=story,
        state=state,
        run_after=run_after or timezone.now(),
        lease_expires_at=lease_expires_at,
    )


def proposal(story, storyteller) -> Tag:
    theme, _ = Theme.objects.get_or_create(name="Isolation")
    return Tag.objects.create(
        story=story, theme=theme, created_by=storyteller, status=TagStatus.PROPOSED
    )


@pytest.fixture
def desk(make_story, storyteller):
    """One or two stories in each queue, and look-alikes that must not count."""
    now = timezone.now()
    soon = now + datetime.timedelta(days=10)
    stories = {
        "ready": make_story(title="Ready one", status="approved"),
        "private_approved": make_story(
            title="Approved not public", status="approved", consent={"public": False}
        ),
        "sealed_approved": make_story(
            title="Approved but sealed",
            status="approved",
            consent={"sealed_until": now.date() + datetime.timedelta(days=90)},
        ),
        "review": make_story(title="Waiting on the teller", status="awaiting_review"),
        "hidden_review": make_story(
            title="Hidden marker waiting", status="awaiting_review", consent=HIDDEN
        ),
        "hidden_ready": make_story(
            title="Hidden marker approved", status="approved", consent={**HIDDEN}
        ),
        "ending": make_story(title="Ending soon one", consent={"expires_at": soon}),
        "ending_later": make_story(
            title="Ending later", consent={"expires_at": now + datetime.timedelta(days=90)}
        ),
        "hidden_ending": make_story(
            title="Hidden marker ending", status="draft", consent={**HIDDEN, "expires_at": soon}
        ),
        "published": make_story(title="Already out"),
    }
    proposal(stories["published"], storyteller)
    proposal(stories["review"], storyteller)
    proposal(stories["hidden_review"], storyteller)
    hour = datetime.timedelta(hours=1)
    job(stories["ready"], JobState.FAILED)
    job(stories["review"], JobState.RUNNING, lease_expires_at=now - datetime.timedelta(minutes=5))
    job(stories["ending"], JobState.QUEUED, run_after=now - 3 * hour)
    job(stories["published"], JobState.RUNNING, lease_expires_at=now + hour)
    job(stories["private_approved"], JobState.QUEUED, run_after=now - datetime.timedelta(seconds=5))
    job(stories["hidden_review"], JobState.FAILED)
    gone = make_story(title="Taken back marker")
    services.consent_withdraw(story=gone, actor=storyteller)
    never_held = make_story(title="Never held marker", status="draft", consent=HIDDEN)
    services.consent_withdraw(story=never_held, actor=storyteller)
    long_ago = make_story(title="Long ago marker")
    services.consent_withdraw(story=long_ago, actor=storyteller)
    StoryEvent.objects.filter(story_id=long_ago.pk, action="consent.withdrawn").update(
        at=now - datetime.timedelta(days=40)
    )
    stories.update(gone=gone, never_held=never_held, long_ago=long_ago)
    return stories


def test_each_queue_counts_the_stories_the_curator_may_see(client, curator, desk):
    client.force_login(curator)
    assert desk_counts(client) == {
        "ready": 1,
        "review": 1,
        "proposals": 2,
        "transcriptions": 3,
        "renditions": 0,
        "consent_ending": 1,
        "withdrawals": 1,
    }


def test_hidden_stories_are_never_named_and_withdrawals_are_tombstones(client, curator, desk):
    client.force_login(curator)
    pages = [client.get("/admin/")] + [
        client.get(reverse(f"curation_desk:{name}"))
        for name in ("ready", "consent_ending", "withdrawals")
    ]
    pages.append(client.get(reverse("transcribe_admin:jobs") + "?state=attention"))
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Hidden marker" not in html
        assert "Taken back marker" not in html
        assert "Never held marker" not in html
    dashboard = pages[0].content.decode()
    assert f"Story {desk['gone'].pk}, withdrawn on" in dashboard
    assert f"Story {desk['never_held'].pk}" not in dashboard
    assert f"Story {desk['long_ago'].pk}" not in dashboard
    withdrawals = pages[3].content.decode()
    assert f"Story {desk['gone'].pk}" in withdrawals


def test_the_listings_behind_the_links_hold_what_was_counted(client, curator, desk):
    client.force_login(curator)
    ready = client.get(reverse("curation_desk:ready")).content.decode()
    assert "Ready one" in ready
    assert "Approved not public" not in ready and "Approved but sealed" not in ready
    ending = client.get(reverse("curation_desk:consent_ending")).content.decode()
    assert "Ending soon one" in ending and "Ending later" not in ending
    jobs = client.get(reverse("transcribe_admin:jobs") + "?state=attention").content.decode()
    for title in ("Ready one", "Waiting on the teller", "Ending soon one"):
        assert title in jobs
    assert "Already out" not in jobs and "Approved not public" not in jobs
    review = client.get(
        reverse("wagtailsnippets_stories_story:list") + "?status=awaiting_review"
    ).content.decode()
    assert "Waiting on the teller" in review and "Ready one" not in review
    dashboard = client.get("/admin/").content.decode()
    for url in (
        reverse("curation_desk:ready"),
        "?status=awaiting_review",
        reverse("coding:workspace"),
        "?state=attention",
        reverse("curation_desk:consent_ending"),
        reverse("curation_desk:withdrawals"),
    ):
        assert url in dashboard


def test_a_curator_who_is_also_a_storyteller_does_not_count_their_hidden_story(
    client, django_user_model, make_story
):
    both = make_user(django_user_model, "teller-curator", "curator", "storyteller", staff=True)
    mine = make_story(title="My own hidden", status="approved", teller=both, consent=HIDDEN)
    client.force_login(both)
    counts = desk_counts(client)
    # The storyteller sees their own story, so it counts only if its consent is public: not here.
    assert counts["ready"] == 0
    assert "My own hidden" not in client.get(reverse("curation_desk:ready")).content.decode()
    assert mine.pk


def test_non_curators_do_not_see_the_desk(client, django_user_model, desk):
    editor = make_user(django_user_model, "editor", "contributor", "researcher", staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "data-curator-desk" not in response.content.decode()
    for name in ("ready", "consent_ending", "withdrawals"):
        # Wagtail answers a refusal in the admin with a redirect to the dashboard.
        refused = client.get(reverse(f"curation_desk:{name}"))
        assert refused.status_code in (302, 403)
        assert "Ready one" not in refused.content.decode()
        if refused.status_code == 302:
            assert refused["Location"] == "/admin/"


def _bulk(make_story, storyteller, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        status = ("approved", "awaiting_review", "published")[i % 3]
        consent = {"expires_at": now + datetime.timedelta(days=5)} if i % 4 == 0 else None
        story = make_story(title=f"Bulk {i}", status=status, consent=consent)
        if i % 5 == 0:
            proposal(story, storyteller)
        if i % 6 == 0:
            job(story, JobState.FAILED)
        if i % 7 == 0:
            services.consent_withdraw(story=story, actor=storyteller)


@pytest.mark.parametrize("stories", [3, 30])
def test_the_desk_takes_a_fixed_number_of_queries(
    rf, curator, make_story, storyteller, stories, django_assert_num_queries
):
    _bulk(make_story, storyteller, stories)
    request = rf.get("/admin/")
    request.user = curator
    panel = CuratorDeskPanel(request)
    # The curator's roles (1), the stories' aggregate, proposals, jobs, withdrawals (count and
    # the newest few): 6 whatever the number of stories.
    with django_assert_num_queries(6):
        html = panel.render_html({"request": request})
    assert "data-curator-desk" in html


def test_the_dashboard_page_queries_do_not_grow_with_the_stories(
    client, curator, make_story, storyteller
):
    client.force_login(curator)
    counted = []
    for n in (3, 27):
        _bulk(make_story, storyteller, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/").status_code == 200
        counted.append(len(queries))
    assert counted[0] == counted[1]
