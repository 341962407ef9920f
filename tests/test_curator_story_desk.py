"""The curator's desk: the story screen, the listing's filters, the chooser, and collections that
say which of their stories the public cannot see."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stories import services
from stories.models import CollectionStory, ConsentMethod, Project, StoryKind
from tests import public_site as site
from tests.test_collection_editor_consent import edit_url, form_data

pytestmark = pytest.mark.django_db

NONE_AGREED = {"archive": False, "researchers": False, "public": False}


def inspect_url(story) -> str:
    return reverse("wagtailsnippets_stories_story:inspect", args=[story.pk])


def list_url() -> str:
    return reverse("wagtailsnippets_stories_story:list")


def recorded_story(make_story, storyteller, *, title: str = "Tuesday coffee mornings", tags=1):
    """A published audio story with its transcript, a second consent and `tags` of each kind."""
    story = make_story(title=title, kind=StoryKind.AUDIO)
    site.attach_recording(story)
    services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.RECORDED,
        archive=True,
        researchers=True,
        public=True,
        quotes_allowed=True,
        attribution="named",
        sealed_until=datetime.date(2031, 3, 1),
        expires_at=timezone.now() + datetime.timedelta(days=3650),
    )
    themes = [site.theme(f"Theme {title} {n}") for n in range(tags)]
    for n, theme in enumerate(themes):
        site.tag(story, value=site.value(), theme=theme, start_seconds=n, end_seconds=n + 2)
    return story


def test_the_story_screen_shows_every_section(client, curator, make_story, storyteller):
    story = recorded_story(make_story, storyteller)
    page = site.collection([story], title="Coffee and company")
    client.force_login(curator)
    response = client.get(inspect_url(story))
    assert response.status_code == 200
    html = response.content.decode()
    # Status and its timeline, who and when.
    assert "Status: Published" in html
    timeline = html.split("data-timeline")[1].split("</ol>")[0]
    for step in ("Story created", "Consent recorded", "Approved", "Published", "by Stella"):
        assert step in timeline
    # The consent now, in plain words, and its history (two records, newest first).
    now = html.split("data-consent-now")[1].split("</p>")[0]
    assert (
        "May be kept in the archive, seen by approved researchers and shown publicly; "
        "quotes allowed; named as Stella; sealed until 1 March 2031; ends on"
    ) in now
    history = html.split("data-consent-history")[1].split("</table>")[0]
    assert history.count("<tr") == 3  # the heading and two records
    assert "(current)" in history and "Recorded (spoken)" in history and "Written" in history
    assert "Cannot see it: sealed until 1 March 2031." in html
    # The player (protected media URL, captions from the transcript download) and the transcript.
    assert f'src="{reverse("stories:media", args=[story.pk, "media"])}"' in html
    assert f'src="{reverse("transcribe:download", args=[story.pk, "vtt"])}"' in html
    assert "public/player.js" in html
    first_line = site.cues_of(site.RECORDING)[0].text
    assert first_line in html.split("data-transcript")[1]
    # Tags with their excerpt times, the collections, the audit history and the actions.
    tags = html.split("data-tags")[1].split("</table>")[0]
    assert site.value().name in tags and f"Theme {story.title} 0" in tags and "0:00 to 0:02" in tags
    assert "Coffee and company" in html.split("data-collections")[1]
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in html
    audit = html.split("data-audit")[1].split("</table>")[0]
    assert "Story created" in audit and "Consent recorded" in audit and "Published" in audit
    actions = html.split("data-actions")[1].split("</ul>")[0]
    assert reverse("transcribe_admin:rerun", args=[story.pk]) in actions
    assert reverse("transcribe_admin:import", args=[story.pk]) in actions
    assert reverse("wagtailsnippets_stories_story:edit", args=[story.pk]) in actions


def test_the_story_screen_never_quotes_words_in_the_audit_history(
    client, curator, make_story, storyteller
):
    story = recorded_story(make_story, storyteller)
    client.force_login(curator)
    html = client.get(inspect_url(story)).content.decode()
    first_line = site.cues_of(site.RECORDING)[0].text
    for section in ("data-timeline", "data-audit", "data-consent-history"):
        assert first_line not in html.split(section)[1].split("</table>")[0].split("</ol>")[0]


@pytest.mark.parametrize("state", ["never agreed", "taken out", "withdrawn", "expired"])
def test_a_story_the_curator_may_not_see_is_not_found(
    client, curator, make_story, storyteller, state
):
    story = make_story(title="Hidden heron", status="draft", consent=NONE_AGREED)
    if state == "taken out":
        story = make_story(title="Hidden heron")
        services.consent_record(
            story=story, actor=storyteller, method=ConsentMethod.WRITTEN, **NONE_AGREED
        )
    elif state == "withdrawn":
        story = make_story(title="Hidden heron")
        services.consent_withdraw(story=story, actor=storyteller)
    elif state == "expired":
        story = make_story(title="Hidden heron")
        services.consent_record(
            story=story,
            actor=storyteller,
            method=ConsentMethod.WRITTEN,
            archive=True,
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )
    client.force_login(curator)
    response = client.get(inspect_url(story))
    assert response.status_code == 404
    assert "Hidden heron" not in response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_story_screen_reads_a_fixed_number_of_queries(
    client, curator, make_story, storyteller, django_assert_num_queries
):
    small = recorded_story(make_story, storyteller, title="Small", tags=1)
    large = recorded_story(make_story, storyteller, title="Large", tags=6)
    for n in range(3):
        site.collection([large], title=f"Collection {n}")
        services.story_transition(story=large, target="approved", actor=curator)
        services.story_transition(story=large, target="published", actor=curator)
        services.consent_record(
            story=large, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True, public=True
        )
    client.force_login(curator)
    client.get(inspect_url(small))  # warm Wagtail's own caches
    expected = _queries(client, inspect_url(small))
    with django_assert_num_queries(expected):
        assert client.get(inspect_url(large)).status_code == 200


# --- The listing ----------------------------------------------------------------------------


@pytest.fixture
def shelf(make_story, storyteller):
    other = Project.objects.create(name="Harbour Lives")
    public = make_story(title="Public puffin")
    researchers = make_story(title="Research raven", status="approved", consent={"public": False})
    archive = make_story(
        title="Archive albatross",
        status="approved",
        consent={"public": False, "researchers": False},
    )
    sealed = make_story(title="Sealed seal")
    services.consent_record(
        story=sealed,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        public=True,
        sealed_until=timezone.now().date() + datetime.timedelta(days=400),
    )
    expiring = make_story(title="Expiring egret")
    services.consent_record(
        story=expiring,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        expires_at=timezone.now() + datetime.timedelta(days=5),
    )
    expiring.project = other
    expiring.language = "cy"
    expiring.save(update_fields=["project", "language"])
    hidden = make_story(title="Hidden heron", status="draft", consent=NONE_AGREED)
    return {
        "public": public,
        "researchers": researchers,
        "archive": archive,
        "sealed": sealed,
        "expiring": expiring,
        "hidden": hidden,
        "other": other,
    }


def titles_listed(client, **params) -> set[str]:
    html = client.get(list_url(), params).content.decode()
    known = (
        "Public puffin",
        "Research raven",
        "Archive albatross",
        "Sealed seal",
        "Expiring egret",
        "Hidden heron",
    )
    return {title for title in known if title in html}


def test_the_listing_filters_by_consent(client, curator, shelf):
    client.force_login(curator)
    assert titles_listed(client, consent="public") == {"Public puffin"}
    assert titles_listed(client, consent="researchers") == {"Research raven", "Expiring egret"}
    assert titles_listed(client, consent="archive") == {"Archive albatross"}
    assert titles_listed(client, consent="sealed") == {"Sealed seal"}
    assert titles_listed(client, consent="expiring") == {"Expiring egret"}


def test_the_listing_filters_by_status_project_and_language_and_searches_titles(
    client, curator, shelf
):
    client.force_login(curator)
    assert titles_listed(client, status="approved") == {"Research raven", "Archive albatross"}
    assert titles_listed(client, project=shelf["other"].pk) == {"Expiring egret"}
    assert titles_listed(client, language="cy") == {"Expiring egret"}
    assert titles_listed(client, q="puffin") == {"Public puffin"}
    # The words of a story are not searched here, and a hidden story is never listed.
    assert titles_listed(client, q="garden group") == set()
    assert titles_listed(client, q="heron") == set()
    everything = titles_listed(client)
    assert "Hidden heron" not in everything and len(everything) == 5
    html = client.get(list_url()).content.decode()
    assert "researchers only" in html and "archive only" in html


def test_the_listing_reads_the_same_number_of_queries_for_3_and_30_stories(
    client, curator, make_story, django_assert_num_queries
):
    for n in range(3):
        make_story(title=f"Listed {n}")
    client.force_login(curator)
    client.get(list_url())
    expected = _queries(client, list_url())
    for n in range(3, 30):
        make_story(title=f"Listed {n}", status="approved" if n % 2 else "published")
    with django_assert_num_queries(expected):
        response = client.get(list_url())
    assert response.content.decode().count("Listed ") >= 25  # a full page


# --- The chooser ----------------------------------------------------------------------------


def test_the_chooser_shows_status_consent_and_kind_and_searches_titles(client, curator, shelf):
    client.force_login(curator)
    response = client.get(reverse("wagtailsnippetchoosers_stories_story:choose"))
    assert response.status_code == 200
    html = response.json()["html"]
    for heading in ("Status", "Consent", "Kind"):
        assert heading in html
    assert "Research raven" in html and "researchers only" in html and "Approved" in html
    assert "Hidden heron" not in html
    results = client.get(
        reverse("wagtailsnippetchoosers_stories_story:choose_results"), {"q": "raven"}
    ).content.decode()
    assert "Research raven" in results and "Public puffin" not in results
    hidden = client.get(
        reverse("wagtailsnippetchoosers_stories_story:choose_results"), {"q": "heron"}
    ).content.decode()
    assert "Hidden heron" not in hidden


# --- Collections that tell the truth ----------------------------------------------------------


def test_the_collection_editor_marks_stories_the_public_cannot_see(client, curator, shelf):
    page = site.collection([shelf["public"], shelf["researchers"], shelf["sealed"]])
    client.force_login(curator)
    html = client.get(edit_url(page)).content.decode()
    assert "The public cannot see this story" in html
    assert "no public consent" in html
    assert "sealed until" in html
    assert html.count("The public cannot see this story") == 2
    # The live page counts only the story the public may see.
    live = client.get(page.url).content.decode()
    assert "1 story" in live and "3 stories" not in live


def test_publishing_a_collection_with_hidden_stories_warns_without_blocking(client, curator, shelf):
    page = site.collection([shelf["public"]])
    client.force_login(curator)
    rows = [{"id": CollectionStory.objects.get(page=page).pk, "story": shelf["public"].pk}]
    rows += [{"story": shelf[name].pk} for name in ("researchers", "archive", "sealed")]
    data = form_data(page, rows)
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    assert CollectionStory.objects.filter(page=page).count() == 4
    page.refresh_from_db()
    assert page.live and not page.has_unpublished_changes
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "3 stories" in warnings[0]
    assert "2 no public consent" in warnings[0] and "1 sealed" in warnings[0]


def test_publishing_a_collection_the_public_can_see_whole_gives_no_warning(client, curator, shelf):
    page = site.collection([])
    client.force_login(curator)
    data = form_data(page, [{"story": shelf["public"].pk}])
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
