"""Every public page type renders what a visitor needs, with one place building its URLs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse

from public import links
from public.models import HomeFeaturedCollection
from stories.models import CollectionStory, ProjectMembership, StoryKind
from stories.photos import photo_clean, story_photo_attach
from tests import public_site as site

pytestmark = pytest.mark.django_db


@pytest.fixture
def garden(make_story):
    story = make_story(
        title="The garden group",
        text="When the lockdown ended I did not know my neighbours.\n\nWe built a garden.",
        consent={"attribution": "named"},
    )
    site.tag(story, value=site.value(), theme=site.theme())
    return story


@pytest.fixture
def recorded(make_story):
    story = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    site.tag(story, theme=site.theme())
    return story


def test_home_page_introduces_the_archive_and_its_collections(client, garden):
    page = site.collection([garden], picture=site.image())

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stories of lived experience" in html
    assert page.title in html
    assert "Browse by value" in html and "Browse by theme" in html
    assert "Isolation" in html
    assert links.story_url(garden) in html


def test_archive_index_lists_values_themes_projects_and_stories(client, garden):
    response = client.get(site.archive_index().url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Building relationships and unifying communities" in html
    assert garden.project.name in html
    assert garden.title in html


def test_collection_page_shows_its_stories_in_the_curators_order(client, make_story):
    first, second, third = (make_story(title=t) for t in ("Zinnias", "Apples", "Marigolds"))
    page = site.collection([third, first, second])

    html = client.get(page.url).content.decode()

    assert html.index("Marigolds") < html.index("Zinnias") < html.index("Apples")
    assert page.introduction in html


def test_collection_image_is_a_responsive_rendition_with_alt_text(client, garden):
    page = site.collection([garden], picture=site.image(description="Beds below green hills."))

    html = client.get(page.url).content.decode()

    assert 'srcset="' in html and "/images/" in html
    assert 'alt="Beds below green hills."' in html


def test_collection_image_without_alt_text_is_refused(garden):
    page = site.collection([garden])
    page.image = site.image(description="")

    with pytest.raises(ValidationError, match="no description"):
        page.full_clean()


def test_text_story_page_reads_on_its_own(client, garden):
    response = client.get(links.story_url(garden))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>When the lockdown ended I did not know my neighbours.</p>" in html
    assert "Told by Stella" in html
    assert links.value_url(site.value()) in html
    assert links.theme_url(site.theme()) in html
    assert "<audio" not in html


def test_audio_story_page_has_player_captions_and_a_linked_transcript(client, recorded):
    html = client.get(links.story_url(recorded)).content.decode()

    assert links.story_media_url(recorded) in html
    assert '<track kind="captions"' in html
    assert links.story_captions_url(recorded) in html
    cue = site.cues_of(site.RECORDING)[1]
    assert cue.text in html
    assert f'href="{links.story_url(recorded, at=cue.start)}"' in html.replace("&amp;", "&")
    assert "0:05" in html  # the line's time, readable without JavaScript


def test_player_starts_where_the_link_asks(client, recorded):
    html = client.get(links.story_url(recorded) + "?t=10.8").content.decode()

    assert f"{links.story_media_url(recorded)}#t=10.8" in html


def test_captions_are_webvtt_from_the_transcript(client, recorded):
    response = client.get(links.story_captions_url(recorded))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    body = response.content.decode()
    assert body.startswith("WEBVTT")
    assert "00:00:05.437 --> 00:00:10.383" in body


def test_story_address_with_an_old_slug_redirects_to_the_current_one(client, garden):
    response = client.get(site.archive_index().url + f"stories/{garden.pk}-old-title/")

    assert response.status_code == 301
    assert response["Location"] == links.story_url(garden)


def test_value_page_lists_its_stories_and_quotable_excerpts(client, recorded, garden):
    cue = site.cues_of(site.RECORDING)[3]
    site.tag(recorded, value=site.value(), start_seconds=cue.start, end_seconds=cue.end)

    html = client.get(links.value_url(site.value())).content.decode()

    assert garden.title in html and recorded.title in html
    assert cue.text in html
    assert links.story_url(recorded, at=cue.start) in html.replace("&amp;", "&")


def test_theme_page_lists_its_stories(client, garden, recorded):
    html = client.get(links.theme_url(site.theme())).content.decode()

    assert garden.title in html and recorded.title in html


def test_merged_theme_redirects_to_the_theme_that_absorbed_it(client, garden):
    old = site.theme("Loneliness")
    old.merged_into = site.theme()
    old.save()

    response = client.get(links.theme_url(old))

    assert response.status_code == 301
    assert response["Location"] == links.theme_url(site.theme())


def test_project_page_credits_only_people_who_agreed(client, garden, contributor, curator):
    project = garden.project
    ProjectMembership.objects.filter(user=contributor).update(
        credit_publicly=True, credit_name="Connor the reporter"
    )
    ProjectMembership.objects.create(
        project=project, user=curator, role="curator", credit_name="Secret Cura"
    )

    html = client.get(links.project_url(project)).content.decode()

    assert "Rich co-production, co-authored" in html
    assert "Connor the reporter" in html
    assert "Secret Cura" not in html and "Cura" not in html
    assert garden.title in html


def test_pages_link_to_the_public_search(client, garden):
    search = reverse("search:public")

    for address in ("/", site.archive_index().url):
        html = client.get(address).content.decode()
        assert f'<a href="{search}"' in html, address  # in the main navigation
        assert f'action="{search}"' in html, address  # and a search box


def test_story_photo_is_shown_with_its_alt_text_through_the_protected_view(client, garden):
    with (site.DEMO / "after-lockdown.jpg").open("rb") as handle:
        photo = photo_clean(File(handle, name="garden.jpg"), alt_text="Raised beds at dusk.")
    story_photo_attach(story=garden, photo=photo)

    html = client.get(links.story_url(garden)).content.decode()

    assert f'<img src="{links.story_photo_url(garden)}" alt="Raised beds at dusk."' in html
    assert client.get(links.story_photo_url(garden)).status_code == 200


def test_previews_show_unsaved_featured_collections_and_story_order(make_story, rf, curator):
    first, second = make_story(title="Apples"), make_story(title="Marigolds")
    page = site.collection([first, second])
    page.collection_stories.set(
        [CollectionStory(story=second, sort_order=0), CollectionStory(story=first, sort_order=1)]
    )
    request = rf.get("/")
    request.user = curator

    html = page.make_preview_request(request).render().content.decode()
    assert html.index("Marigolds") < html.index("Apples")

    home = site.home()
    home.featured_collections.set([HomeFeaturedCollection(collection=page)])
    html = home.make_preview_request(request).render().content.decode()
    assert page.title in html
