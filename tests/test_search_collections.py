"""Publishing a collection in the Wagtail admin queues its stories for the search index."""

from __future__ import annotations

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from public.models import HomePage
from search.api import search_stories
from search.services import outbox_drain
from search.types import SearchFilters
from stories.models import CollectionPage, StoryChange
from stories.visibility import PUBLIC_AUDIENCE


def test_a_published_collection_reaches_the_collection_facet(
    client, django_user_model, make_story, search_backend
):
    story = make_story(title="At the kitchen table", text="We talked over tea.")
    page = HomePage.objects.first().add_child(
        instance=CollectionPage(title="Kitchen tables", slug="kitchen-tables")
    )
    outbox_drain()
    admin = django_user_model.objects.create_superuser("boss", password="pw")
    client.force_login(admin)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        nested_form_data(
            {
                "title": "Kitchen tables",
                "slug": "kitchen-tables",
                "introduction": rich_text(""),
                "collection_stories": inline_formset([{"story": story.pk}]),
                "comments": inline_formset([]),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StoryChange.objects.filter(story_id=story.pk).exists()

    outbox_drain()
    search_backend.refresh()
    chosen = SearchFilters(collection=(str(page.pk),))
    results = search_stories(audience=PUBLIC_AUDIENCE, filters=chosen)
    assert [h.story.pk for h in results.hits] == [story.pk]

    client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    outbox_drain()
    search_backend.refresh()
    assert search_stories(audience=PUBLIC_AUDIENCE, filters=chosen).total == 0
