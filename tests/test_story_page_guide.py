"""The story page guides the listener: the segment index, finding words in the story, a link to
a moment, the citation, the downloads and the oEmbed player, each as the consent allows."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from public import links
from stories.chapters import chapter_save
from stories.models import StoryKind
from stories.visibility import CURATOR, PUBLIC_AUDIENCE, RESEARCHER, Audience, story_parts
from tests import public_site as site

pytestmark = pytest.mark.django_db

CUES = site.cues_of(site.RECORDING)


def recorded(make_story, **consent):
    story = make_story(
        title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="", consent=consent or None
    )
    return site.attach_recording(story)


@pytest.fixture
def story(make_story, curator):
    made = recorded(make_story, attribution="named")
    chapter_save(
        actor=curator,
        story=made,
        start=CUES[1].start,
        title="The knock on the door",
        synopsis="A neighbour asks for help with the chairs.",
        keywords="neighbours, church hall",
        values=[site.value()],
        themes=[site.theme()],
    )
    chapter_save(actor=curator, story=made, start=CUES[0].start, title="Long quiet days")
    return made


def page(client, story, **params) -> str:
    response = client.get(links.story_url(story), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_index_lists_chapters_in_order_with_links_to_their_moments(client, story):
    html = page(client, story)
    index = html[html.index('id="chapters-heading"') : html.index('id="find-heading"')]
    assert index.index("Long quiet days") < index.index("The knock on the door")
    assert f'href="{links.story_url(story, at=CUES[1].start)}"' in index.replace("&amp;", "&")
    assert "A neighbour asks for help with the chairs." in index
    assert links.value_url(site.value()) in index and links.theme_url(site.theme()) in index
    # A keyword finds itself in the story.
    assert "?q=church+hall#find" in index


def test_the_index_goes_where_the_transcript_goes(client, make_story, curator, researcher):
    hidden = recorded(make_story, public=False)
    chapter_save(actor=curator, story=hidden, start=1.0, title="Only for researchers")
    assert client.get(links.story_url(hidden)).status_code == 404
    client.force_login(researcher)
    assert "Only for researchers" in page(client, hidden)
    for audience in (PUBLIC_AUDIENCE, Audience(1, frozenset({RESEARCHER, CURATOR}))):
        parts = story_parts(audience, hidden)
        assert parts.chapters == parts.transcript


def test_words_are_found_by_their_stem_listed_with_times_and_marked(client, story):
    html = page(client, story, q="chair knocking")
    assert "1 place in the transcript has “chair knocking”." in html
    hits = html[html.index('class="hits"') : html.index("</ol>", html.index('class="hits"'))]
    assert "0:05" in hits
    assert "<mark>knocked</mark>" in hits and "<mark>chairs</mark>" in hits
    assert "?t=5.437&amp;q=chair+knocking#player" in hits
    transcript = html[html.index("data-transcript") :]
    assert transcript.count("<mark>") == 2  # the one line, in the transcript too
    assert '<button type="button" data-hit-step="1">Next' in html


def test_finding_nothing_says_so_and_escapes_the_query(client, story):
    html = page(client, story, q="<b>zebra</b>")
    assert "Nothing in the transcript matches “&lt;b&gt;zebra&lt;/b&gt;”." in html
    assert "<b>zebra" not in html


def test_share_this_moment_offers_the_link_to_the_second_without_javascript(client, story):
    html = page(client, story, t="10")
    moment = links.story_url(story, at=10, full=True)
    assert f'value="{moment.replace("&", "&amp;")}"' in html
    assert '<label for="moment-link">Link to 0:10 in this story</label>' in html


def test_the_citation_names_the_storyteller_only_as_the_consent_allows(client, make_story):
    named = recorded(make_story, attribution="named")
    html = page(client, named, t="5")
    cited = re.search(r'<p class="citation" id="citation-text">(.*?)</p>', html).group(1)
    assert cited.startswith("Stella (")
    assert "Tuesday coffee mornings [Audio recording, at 0:05]. Neighbourhood Voices." in cited
    assert "Community Story Archive." in cited and "?t=5#player" in cited

    anonymous = recorded(make_story, attribution="anonymous")
    html = page(client, anonymous)
    assert "Anonymous storyteller" in html and "Stella" not in html
    base = links.story_url(anonymous)
    bib = client.get(base + "cite/bibtex/", {"t": "5"})
    assert bib["Content-Type"].startswith("application/x-bibtex")
    text = bib.content.decode()
    assert text.startswith(f"@misc{{story{anonymous.pk},")
    assert "author = {{Anonymous storyteller}}" in text and "Stella" not in text
    assert "note = {From 0:05}" in text
    csl = json.loads(client.get(base + "cite/csl-json/").content)
    assert csl[0]["author"] == [{"literal": "Anonymous storyteller"}]
    assert csl[0]["type"] == "interview"
    assert csl[0]["title"] == "Tuesday coffee mornings"
    assert csl[0]["URL"] == links.story_url(anonymous, full=True)
    assert csl[0]["collection-title"] == "Neighbourhood Voices"


def test_citations_of_a_story_nobody_may_see_are_not_found(client, make_story):
    hidden = recorded(make_story, public=False)
    assert client.get(links.story_url(hidden) + "cite/bibtex/").status_code == 404
    assert client.get(links.story_url(hidden) + "cite/csl-json/").status_code == 404


def test_downloads_follow_the_quotes_rule(client, make_story):
    quotable = recorded(make_story)
    html = page(client, quotable)
    for fmt in ("vtt", "srt", "txt", "json"):
        assert reverse("transcribe:download", args=[quotable.pk, fmt]) in html
    unquotable = recorded(make_story, quotes_allowed=False)
    html = page(client, unquotable)
    assert reverse("transcribe:download", args=[unquotable.pk, "vtt"]) in html
    for fmt in ("srt", "txt", "json"):
        assert reverse("transcribe:download", args=[unquotable.pk, fmt]) not in html


def test_oembed_answers_for_a_public_story_with_an_iframe_of_its_embed_page(client, story):
    html = page(client, story)
    found = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    assert found
    answer = client.get(found.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    data = answer.json()
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["title"] == "Tuesday coffee mornings" and data["author_name"] == "Stella"
    embed = links.ArchiveLinks().story_part(story, "embed", full=True)
    assert f'<iframe src="{embed}"' in data["html"]
    assert data["width"] == 640 and data["height"] == 200


def test_oembed_and_embed_pages_are_not_found_for_stories_that_are_not_public(
    client, make_story, curator
):
    hidden = recorded(make_story, public=False)
    client.force_login(curator)  # even a curator, who may see it on the archive
    html = page(client, hidden)
    assert "application/json+oembed" not in html
    url = links.story_url(hidden, full=True)
    assert client.get(reverse("oembed"), {"url": url}).status_code == 404
    embed = links.ArchiveLinks().story_part(hidden, "embed")
    assert client.get(embed).status_code == 404


def test_only_the_embed_page_may_be_framed_by_other_sites(client, story):
    embed = client.get(links.ArchiveLinks().story_part(story, "embed"))
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    html = embed.content.decode()
    assert reverse("transcribe:download", args=[story.pk, "vtt"]) in html
    assert '<track kind="captions"' in html
    story_page = client.get(links.story_url(story))
    assert story_page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in story_page["Content-Security-Policy"]
