"""The curators' admin: merge two themes in two steps, tag counts, safe edits and deletes."""

from __future__ import annotations

import pytest

from coding.models import Tag
from coding.services import tag_create, theme_create
from stories.models import StoryChange, Theme

pytestmark = pytest.mark.django_db

MERGE = "/admin/themes/merge/"


@pytest.fixture
def tagged(make_story, contributor):
    source = theme_create(name="Loneliness", synonyms=["alone"])
    target = theme_create(name="Isolation")
    story = make_story()
    tag_create(story=story, actor=contributor, code=source)
    return source, target, story


def test_a_curator_reviews_then_merges_two_themes(client, curator, tagged):
    source, target, story = tagged
    client.force_login(curator)
    assert client.get(MERGE).status_code == 200
    preview = client.post(MERGE, {"source": source.pk, "target": target.pk})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Merge the themes" in page
    assert "1 tag on 1 story" in page
    assert Tag.objects.filter(theme=source).exists()  # nothing happens before confirming
    done = client.post(MERGE, {"source": source.pk, "target": target.pk, "confirm": "True"})
    assert done.status_code == 302
    source.refresh_from_db()
    assert source.merged_into == target
    assert Tag.objects.get(story=story).theme == target


def test_people_who_are_not_curators_cannot_merge(client, contributor, tagged):
    client.force_login(contributor)
    response = client.get(MERGE)
    assert response.status_code in (302, 403)
    assert Theme.objects.active().count() == 2


def test_the_tag_counts_page_lists_values_and_themes(client, curator, tagged):
    client.force_login(curator)
    response = client.get("/admin/themes/tag-counts/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Equality (and shifts in power differentials)" in page
    assert "Loneliness" in page


def test_the_theme_list_shows_tag_counts(client, curator, tagged):
    client.force_login(curator)
    response = client.get("/admin/snippets/stories/theme/")
    assert response.status_code == 200
    assert "Stories tagged" in response.content.decode()


def test_renaming_in_the_admin_keeps_the_old_name_and_writes_outbox_rows(client, curator, tagged):
    source, _target, story = tagged
    client.force_login(curator)
    StoryChange.objects.all().delete()
    synonym = source.synonyms.get()
    data = {
        "name": "Feeling alone",
        "slug": source.slug,
        "description": "",
        "parent": "",
        "sort_order": "0",
        "synonyms-TOTAL_FORMS": "1",
        "synonyms-INITIAL_FORMS": "1",
        "synonyms-MIN_NUM_FORMS": "0",
        "synonyms-MAX_NUM_FORMS": "1000",
        "synonyms-0-id": str(synonym.pk),
        "synonyms-0-name": "alone",
        "synonyms-0-ORDER": "1",
        "synonyms-0-DELETE": "",
    }
    response = client.post(f"/admin/snippets/stories/theme/edit/{source.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    assert source.name == "Feeling alone"
    assert sorted(source.synonym_names, key=str.casefold) == ["alone", "Loneliness"]
    assert list(StoryChange.objects.values_list("story_id", flat=True)) == [story.pk]


def test_a_theme_with_tags_is_merged_not_deleted(client, curator, tagged):
    source, _target, _story = tagged
    client.force_login(curator)
    response = client.post(f"/admin/snippets/stories/theme/delete/{source.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(MERGE)
    assert Theme.objects.filter(pk=source.pk).exists()
    assert Tag.objects.filter(theme=source).count() == 1
