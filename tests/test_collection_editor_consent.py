"""The collection editor (Wagtail page editor) names and takes only stories the curator may see.

Each collection row's story field asks the visibility rule for the curator editing: the page
never shows the title of a story without consent, and a story id typed into the form is refused
unless the curator may see that story. A row that already holds a story the curator can no
longer see says so without its title, and can stay or go.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from stories import services
from stories.models import CollectionPage, CollectionStory, ConsentMethod
from stories.models.collection import NOT_YOURS_TO_CHOOSE, UNAVAILABLE_STORY
from tests import public_site as site

pytestmark = pytest.mark.django_db

NONE_AGREED = {"archive": False, "researchers": False, "public": False}


@pytest.fixture
def stories(make_story, storyteller):
    seen = make_story(title="Seen allotment story")
    never = make_story(title="Never agreed zebra", status="draft", consent=NONE_AGREED)
    expired = make_story(title="Expired walrus")
    services.consent_record(
        story=expired,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        public=True,
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    taken_out = make_story(title="Taken out narwhal")
    services.consent_record(
        story=taken_out, actor=storyteller, method=ConsentMethod.WRITTEN, **NONE_AGREED
    )
    return {"seen": seen, "never": never, "expired": expired, "taken_out": taken_out}


HIDDEN = ("never", "expired", "taken_out")


def edit_url(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


def form_data(page, rows: list[dict]) -> dict:
    """What the page editor posts: the page's own fields and one form per collection row."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "introduction": '{"blocks": [], "entityMap": {}}',
        "image": "",
        "project": "",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "collection_stories-TOTAL_FORMS": str(len(rows)),
        "collection_stories-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "collection_stories-MIN_NUM_FORMS": "0",
        "collection_stories-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        prefix = f"collection_stories-{i}-"
        data[prefix + "id"] = row.get("id", "")
        data[prefix + "story"] = row["story"]
        data[prefix + "ORDER"] = str(i + 1)
        if row.get("delete"):
            data[prefix + "DELETE"] = "1"
    return data


def test_the_editor_never_shows_the_title_of_a_story_the_curator_may_not_see(
    client, curator, stories
):
    page = site.collection([stories[k] for k in ("seen", *HIDDEN)])
    client.force_login(curator)
    response = client.get(edit_url(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert stories["seen"].title in html
    for key in HIDDEN:
        assert stories[key].title not in html, key
    assert html.count(UNAVAILABLE_STORY) >= len(HIDDEN)
    # No way into the hidden stories from here either.
    for key in HIDDEN:
        assert f"/admin/snippets/stories/story/edit/{stories[key].pk}/" not in html


def test_a_story_id_the_curator_may_not_see_is_refused_with_a_clear_error(client, curator, stories):
    page = site.collection([stories["seen"]])
    row = CollectionStory.objects.get(page=page)
    client.force_login(curator)
    for key in HIDDEN:
        response = client.post(
            edit_url(page),
            form_data(
                page,
                [
                    {"id": row.pk, "story": stories["seen"].pk},
                    {"story": stories[key].pk},
                ],
            ),
        )
        assert response.status_code == 200, key  # the form again, with the error
        html = response.content.decode()
        assert NOT_YOURS_TO_CHOOSE.split(":")[0] in html.replace("&#x27;", "'"), key
        assert stories[key].title not in html, key
    assert list(CollectionStory.objects.filter(page=page).values_list("story", flat=True)) == [
        stories["seen"].pk
    ]
    latest = page.get_latest_revision_as_object()
    assert [r.story_id for r in latest.collection_stories.all()] == [stories["seen"].pk]


def test_a_visible_story_can_be_added_and_a_hidden_one_already_there_kept_or_dropped(
    client, curator, make_story, stories
):
    page = site.collection([stories["seen"], stories["expired"]])
    rows = {r.story_id: r.pk for r in CollectionStory.objects.filter(page=page)}
    another = make_story(title="Another seen story")
    client.force_login(curator)
    kept = form_data(
        page,
        [
            {"id": rows[stories["seen"].pk], "story": stories["seen"].pk},
            {"id": rows[stories["expired"].pk], "story": stories["expired"].pk},
            {"story": another.pk},
        ],
    )
    kept["action-publish"] = "action-publish"
    response = client.post(edit_url(page), kept)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = CollectionPage.objects.get(pk=page.pk)
    assert [r.story_id for r in page.collection_stories.order_by("sort_order")] == [
        stories["seen"].pk,
        stories["expired"].pk,
        another.pk,
    ]
    rows = {r.story_id: r.pk for r in CollectionStory.objects.filter(page=page)}
    dropped = form_data(
        page,
        [
            {"id": rows[stories["seen"].pk], "story": stories["seen"].pk},
            {"id": rows[stories["expired"].pk], "story": stories["expired"].pk, "delete": True},
            {"id": rows[another.pk], "story": another.pk},
        ],
    )
    dropped["action-publish"] = "action-publish"
    assert client.post(edit_url(page), dropped).status_code == 302
    assert set(CollectionStory.objects.filter(page=page).values_list("story", flat=True)) == {
        stories["seen"].pk,
        another.pk,
    }


def test_a_hidden_story_cannot_be_swapped_into_another_row(client, curator, stories):
    """Keeping is for the row that holds the story: its id in another row is refused."""
    page = site.collection([stories["seen"], stories["expired"]])
    rows = {r.story_id: r.pk for r in CollectionStory.objects.filter(page=page)}
    client.force_login(curator)
    response = client.post(
        edit_url(page),
        form_data(
            page,
            [
                {"id": rows[stories["seen"].pk], "story": stories["never"].pk},
                {"id": rows[stories["expired"].pk], "story": stories["expired"].pk},
            ],
        ),
    )
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert NOT_YOURS_TO_CHOOSE.split(":")[0] in html
    assert stories["never"].title not in html
    assert set(CollectionStory.objects.filter(page=page).values_list("story", flat=True)) == {
        stories["seen"].pk,
        stories["expired"].pk,
    }


def test_comparing_revisions_does_not_name_a_story_the_curator_may_not_see(
    client, curator, stories
):
    page = site.collection([stories["seen"]])
    first = page.get_latest_revision()
    page.collection_stories.add(CollectionStory(story=stories["never"], sort_order=1))
    second = page.save_revision()
    client.force_login(curator)
    response = client.get(f"/admin/pages/{page.pk}/revisions/compare/{first.pk}...{second.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert stories["never"].title not in html
    assert UNAVAILABLE_STORY in html
    assert stories["seen"].title in html
