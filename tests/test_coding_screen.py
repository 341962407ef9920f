"""The coding screen without JavaScript: a form of selects, tags in the margin, edit and remove."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding.models import Tag, TagStatus
from coding.services import Excerpt, tag_create, tag_propose
from stories.models import Project, Theme, Value
from tests.coding_helpers import recorded_story, second_contributor

pytestmark = pytest.mark.django_db

TEXT = "We met on Tuesdays.\n\nNobody asked us at first! Then the council listened."


def url(story) -> str:
    return reverse("coding:story", args=[story.pk])


def key(code) -> str:
    return f"{'value' if isinstance(code, Value) else 'theme'}:{code.pk}"


def test_the_coding_screen_shows_the_transcript_and_a_form_that_works_without_javascript(
    client, make_story, contributor
):
    story = recorded_story(make_story)
    client.force_login(contributor)
    page = client.get(url(story)).content.decode()
    assert "Nobody asked us what we needed at first." in page
    assert '<select name="codes"' in page and "multiple" in page
    assert 'name="start_unit"' in page and 'name="end_unit"' in page
    assert "0:04 Nobody asked us" in page  # segments are named by their time
    assert "Equality (and shifts in power differentials)" in page


def test_posting_the_form_tags_segments_and_shows_the_tag_in_the_margin(
    client, make_story, contributor
):
    story = recorded_story(make_story)
    theme = Theme.objects.create(name="Being heard")
    equality = Value.objects.get(slug="equality")
    client.force_login(contributor)
    response = client.post(
        url(story),
        {"codes": [key(equality), key(theme)], "start_unit": "1", "end_unit": "2", "memo": "Yes"},
    )
    assert response.status_code == 302
    tags = Tag.objects.filter(story=story).order_by("pk")
    assert [t.code for t in tags] == [equality, theme]
    assert all((t.start_seconds, t.end_seconds) == (4.0, 15.0) for t in tags)
    assert response["Location"].endswith(f"#tag-{tags[0].pk}")
    page = client.get(url(story)).content.decode()
    # The tag sits in the margin of the row of the segment it starts on.
    row = page[page.index('id="unit-1"') : page.index('id="unit-2"')]
    assert f'id="tag-{tags[0].pk}"' in row and "0:04\u20130:15" in row
    assert "Connor" in row


def test_an_exact_text_selection_is_kept(client, make_story, contributor):
    story = make_story(text=TEXT)
    client.force_login(contributor)
    start = TEXT.index("asked")
    equality = Value.objects.get(slug="equality")
    response = client.post(
        url(story),
        {
            "codes": [key(equality)],
            "start_unit": "1",
            "end_unit": "1",
            "char_start": str(start),
            "char_end": str(start + len("asked us")),
        },
    )
    assert response.status_code == 302
    assert Tag.objects.get(story=story).quote == "asked us"


def test_whole_sentences_can_be_chosen_from_the_selects(client, make_story, contributor):
    story = make_story(text=TEXT)
    client.force_login(contributor)
    equality = Value.objects.get(slug="equality")
    client.post(url(story), {"codes": [key(equality)], "start_unit": "2", "end_unit": "1"})
    assert (
        Tag.objects.get(story=story).quote == "Nobody asked us at first! Then the council listened."
    )


def test_a_form_without_codes_says_what_to_do(client, make_story, contributor):
    story = make_story(text=TEXT)
    client.force_login(contributor)
    response = client.post(url(story), {"start_unit": "0"})
    assert response.status_code == 400
    assert "Choose at least one value or theme" in response.content.decode()
    assert not Tag.objects.exists()


def test_the_storyteller_proposes_from_the_same_screen(client, make_story, storyteller):
    story = make_story(text=TEXT)
    client.force_login(storyteller)
    page = client.get(url(story)).content.decode()
    assert "Propose a tag" in page and "This is your story" in page
    client.post(url(story), {"codes": [key(Value.objects.get(slug="human"))]})
    assert Tag.objects.get(story=story).status == TagStatus.PROPOSED
    assert "waiting for review" in client.get(url(story)).content.decode()


def test_a_contributor_accepts_or_declines_from_the_margin(
    client, make_story, storyteller, contributor
):
    story = make_story(text=TEXT)
    a = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    b = tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="diversity"))
    client.force_login(contributor)
    page = client.get(url(story)).content.decode()
    assert reverse("coding:tag_accept", args=[a.pk]) in page
    client.post(reverse("coding:tag_accept", args=[a.pk]))
    client.post(reverse("coding:tag_decline", args=[b.pk]), {"note": "Not this one."})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (TagStatus.ACCEPTED, TagStatus.DECLINED)
    assert b.review_note == "Not this one."


def test_only_the_tags_maker_sees_edit_and_remove_and_can_use_them(
    client, make_story, contributor, django_user_model, project
):
    story = make_story(text=TEXT)
    tag = tag_create(
        story=story,
        actor=contributor,
        code=Value.objects.get(slug="equality"),
        excerpt=Excerpt.chars(0, 18),
    )
    other = second_contributor(django_user_model, project)
    client.force_login(other)
    assert reverse("coding:tag_edit", args=[tag.pk]) not in client.get(url(story)).content.decode()
    assert client.get(reverse("coding:tag_edit", args=[tag.pk])).status_code == 403
    assert client.post(reverse("coding:tag_delete", args=[tag.pk])).status_code == 403

    client.force_login(contributor)
    edit = reverse("coding:tag_edit", args=[tag.pk])
    assert client.get(edit).status_code == 200
    respect = Value.objects.get(slug="mutual-respect")
    response = client.post(edit, {"codes": key(respect), "start_unit": "0", "memo": "Changed"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.value, tag.memo, tag.quote) == (respect, "Changed", "We met on Tuesdays.")
    remove = reverse("coding:tag_delete", args=[tag.pk])
    assert "Remove tag" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_the_screen_answers_only_those_who_may_code_or_told_the_story(
    client, make_story, stranger, contributor
):
    story = make_story(text=TEXT)
    assert client.get(url(story)).status_code == 302  # to sign in
    client.force_login(stranger)  # sees the published story, but does not code
    assert client.get(url(story)).status_code == 403
    hidden = make_story(text=TEXT, status="draft", consent={"public": False})
    hidden.project = Project.objects.create(name="Elsewhere")
    hidden.save()
    client.force_login(contributor)
    assert client.get(url(hidden)).status_code == 404


def test_the_coding_screen_makes_the_same_queries_however_many_tags(
    client, make_story, contributor
):
    story = recorded_story(make_story)
    client.force_login(contributor)
    values = list(Value.objects.order_by("number"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(story)).status_code == 200
        return len(queries)

    tag_create(story=story, actor=contributor, code=values[0], excerpt=Excerpt.times(0, 1))
    count()  # a process's first page also looks up Wagtail's Site once, then keeps it
    few = count()
    for i, value in enumerate(values[1:12]):
        tag_create(story=story, actor=contributor, code=value, excerpt=Excerpt.times(i % 6 * 5, 29))
    assert count() == few


def test_the_workspace_lists_stories_to_code_and_proposals(
    client, make_story, storyteller, contributor
):
    story = make_story(title="Garden days", text=TEXT)
    tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="human"))
    client.force_login(contributor)
    page = client.get(reverse("coding:workspace")).content.decode()
    assert "Garden days" in page
    assert "proposals waiting for review" in page
    assert re.search(r"“Human \(and personal and bespoke\)” on Garden days", page)


def test_choosing_other_sentences_replaces_an_exact_selection(client, make_story, contributor):
    story = make_story(text=TEXT)
    start = TEXT.index("asked")
    tag = tag_create(
        story=story,
        actor=contributor,
        code=Value.objects.get(slug="equality"),
        excerpt=Excerpt.chars(start, start + len("asked us")),
    )
    client.force_login(contributor)
    edit = reverse("coding:tag_edit", args=[tag.pk])
    form = client.get(edit).content.decode()
    assert f'name="char_start" value="{start}"' in form
    # The edit form posts the exact range back with the sentence it lies in: it is kept...
    same = {"codes": key(tag.value), "start_unit": "1", "end_unit": "1"}
    same |= {"char_start": str(start), "char_end": str(start + 8)}
    client.post(edit, same)
    tag.refresh_from_db()
    assert tag.quote == "asked us"
    # ...until the coder chooses to end on another sentence.
    client.post(edit, same | {"end_unit": "2"})
    tag.refresh_from_db()
    assert tag.quote == "Nobody asked us at first! Then the council listened."
