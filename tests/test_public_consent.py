"""Only what consent allows, on every public page, feed, sitemap and media URL."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from public import links
from stories import services
from stories.models import StoryKind
from tests import public_site as site

pytestmark = pytest.mark.django_db

HIDDEN_CONSENTS = {
    "not-public": {"public": False},
    "sealed": {"sealed_until": datetime.date.today() + datetime.timedelta(days=30)},
    "expired": {"expires_at": timezone.now() - datetime.timedelta(days=1)},
}


@pytest.fixture
def shown(make_story):
    story = make_story(title="Shown publicly", consent={"attribution": "anonymous"})
    site.tag(story, value=site.value(), theme=site.theme())
    return story


@pytest.fixture(params=[*HIDDEN_CONSENTS, "approved-not-published", "withdrawn"])
def hidden(request, make_story, storyteller):
    """A story the public must never see, tagged, in a collection, with a recording."""
    if request.param == "approved-not-published":
        story = make_story(title="Secret harbour", status="approved", kind=StoryKind.AUDIO)
    else:
        story = make_story(
            title="Secret harbour",
            consent=HIDDEN_CONSENTS.get(request.param, {}),
            kind=StoryKind.AUDIO,
        )
    site.attach_recording(story)
    site.tag(story, value=site.value(), theme=site.theme())
    cue = site.cues_of(site.RECORDING)[0]
    site.tag(story, value=site.value(), start_seconds=cue.start, end_seconds=cue.end)
    story.address = links.story_url(story)  # as it was while it could have been public
    story.captions = links.story_captions_url(story)
    story.media_address = links.story_media_url(story)
    if request.param == "withdrawn":
        services.consent_withdraw(story=story, actor=storyteller)
    story.case = request.param
    return story


def public_addresses(shown, collection_page) -> list[str]:
    return [
        "/",
        site.archive_index().url,
        collection_page.url,
        links.value_url(site.value()),
        links.theme_url(site.theme()),
        links.project_url(shown.project),
        links.story_url(shown),
        "/feeds/stories.rss",
        "/feeds/stories.atom",
        "/sitemap-stories.xml",
        "/sitemap-terms.xml",
        "/sitemap-pages.xml",
    ]


def test_no_trace_of_a_story_without_public_consent_anywhere(client, shown, hidden):
    page = site.collection([hidden, shown])

    for address in public_addresses(shown, page):
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode()
        assert "Secret harbour" not in body, (hidden.case, address)
        assert "harbour" not in body, (hidden.case, address)
        assert f"/stories/{hidden.pk}-" not in body, (hidden.case, address)
        assert hidden.media_address not in body, (hidden.case, address)


@pytest.mark.parametrize("hidden", [*HIDDEN_CONSENTS, "approved-not-published"], indirect=True)
def test_story_without_public_consent_answers_404(client, hidden):
    assert client.get(hidden.address).status_code == 404
    assert client.get(hidden.captions).status_code == 404
    assert client.get(hidden.media_address).status_code == 404


def test_withdrawn_story_answers_410_with_a_kind_page(client, make_story, storyteller):
    story = make_story(title="Taken back", kind=StoryKind.AUDIO)
    site.attach_recording(story)
    address, captions, media = (
        links.story_url(story),
        links.story_captions_url(story),
        links.story_media_url(story),
    )
    services.consent_withdraw(story=story, actor=storyteller)

    response = client.get(address)

    assert response.status_code == 410
    assert "This story has been withdrawn" in response.content.decode()
    assert "Taken back" not in response.content.decode()
    assert client.get(captions).status_code == 404  # the transcript was deleted
    assert client.get(media).status_code == 410


def test_anonymous_storyteller_is_never_named(client, shown, storyteller):
    for address in ("/", links.story_url(shown), "/feeds/stories.rss", "/feeds/stories.atom"):
        body = client.get(address).content.decode()
        assert storyteller.storyteller_profile.display_name not in body, address
        assert storyteller.username not in body, address
    assert "Anonymous storyteller" in client.get(links.story_url(shown)).content.decode()


def test_excerpts_are_quoted_only_with_consent(client, make_story):
    story = make_story(title="Unquotable", consent={"quotes_allowed": False}, kind=StoryKind.AUDIO)
    site.attach_recording(story)
    cue = site.cues_of(site.RECORDING)[2]
    site.tag(story, value=site.value(), start_seconds=cue.start, end_seconds=cue.end)

    html = client.get(links.value_url(site.value())).content.decode()

    assert "Unquotable" in html  # the story is public...
    assert cue.text not in html  # ...but its storyteller did not allow quotes


def test_feeds_hold_published_public_stories_only(client, shown, hidden):
    rss = etree.fromstring(client.get("/feeds/stories.rss").content)
    atom = etree.fromstring(client.get("/feeds/stories.atom").content)

    titles = rss.xpath("//item/title/text()")
    assert titles == ["Shown publicly"]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("//a:entry/a:title/text()", namespaces=ns) == ["Shown publicly"]
    assert rss.xpath("//item/link/text()")[0].endswith(links.story_url(shown))


def test_sitemap_lists_public_stories_values_themes_and_pages(client, shown, hidden):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-stories.xml" in index and "sitemap-pages.xml" in index

    stories = client.get("/sitemap-stories.xml").content.decode()
    terms = client.get("/sitemap-terms.xml").content.decode()
    pages = client.get("/sitemap-pages.xml").content.decode()

    assert links.story_url(shown) in stories
    assert f"/stories/{hidden.pk}-" not in stories
    assert links.value_url(site.value()) in terms
    assert links.theme_url(site.theme()) in terms
    assert links.project_url(shown.project) in terms
    assert site.archive_index().url in pages
