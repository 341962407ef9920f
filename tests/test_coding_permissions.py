"""Who may code: contributors, researchers and curators on stories they can see and the archive
keeps by consent; storytellers propose on their own stories; nobody edits another coder's tags."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from coding import permissions
from coding.services import Excerpt, tag_create, tag_delete, tag_update
from stories.models import Project, Value
from stories.visibility import audience_for
from tests.coding_helpers import second_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def equality():
    return Value.objects.get(slug="equality")


def test_a_contributor_codes_stories_of_their_project(make_story, contributor, equality):
    story = make_story(status="awaiting_review")
    assert tag_create(story=story, actor=contributor, code=equality).pk


def test_a_contributor_cannot_code_a_story_outside_their_projects(
    make_story, contributor, equality
):
    story = make_story(status="awaiting_review")
    story.project = Project.objects.create(name="Elsewhere")
    story.save()
    with pytest.raises(PermissionDenied, match="cannot code this story"):
        tag_create(story=story, actor=contributor, code=equality)


def test_a_researcher_codes_approved_stories_shared_with_researchers(
    make_story, researcher, equality
):
    story = make_story(status="approved", consent={"public": False})
    assert tag_create(story=story, actor=researcher, code=equality).created_by == researcher


def test_nobody_codes_a_story_the_archive_may_not_keep(make_story, contributor, curator, equality):
    story = make_story(
        status="draft", consent={"archive": False, "researchers": False, "public": False}
    )
    for person in (contributor, curator):
        assert permissions.can_code(audience_for(person), story) is False
        with pytest.raises(PermissionDenied):
            tag_create(story=story, actor=person, code=equality)


def test_a_curator_codes_any_story_kept_in_the_archive(make_story, curator, equality):
    story = make_story(status="draft", consent={"public": False, "researchers": False})
    assert tag_create(story=story, actor=curator, code=equality).pk


def test_a_storyteller_or_stranger_cannot_code_directly(
    make_story, storyteller, stranger, equality
):
    story = make_story()
    for person in (storyteller, stranger):
        with pytest.raises(PermissionDenied):
            tag_create(story=story, actor=person, code=equality)


def test_a_coder_cannot_change_or_remove_another_coders_tag(
    make_story, contributor, django_user_model, project, equality
):
    story = make_story(text="Neighbours brought soup. We felt seen.")
    tag = tag_create(story=story, actor=contributor, code=equality, excerpt=Excerpt.chars(0, 23))
    other = second_contributor(django_user_model, project)
    with pytest.raises(PermissionDenied, match="Only the person who made this tag"):
        tag_update(tag=tag, actor=other, memo="mine now")
    with pytest.raises(PermissionDenied):
        tag_delete(tag=tag, actor=other)


def test_a_curator_may_tidy_any_tag_they_can_see(make_story, contributor, curator, equality):
    story = make_story()
    tag = tag_create(story=story, actor=contributor, code=equality)
    assert tag_update(tag=tag, actor=curator, memo="Checked.").memo == "Checked."
    tag_delete(tag=tag, actor=curator)


def test_withdrawal_ends_coding(make_story, contributor, storyteller, equality):
    from stories.services import consent_withdraw

    story = make_story()
    tag_create(story=story, actor=contributor, code=equality)
    consent_withdraw(story=story, actor=storyteller)
    assert story.tags.count() == 0
    with pytest.raises(PermissionDenied):
        tag_create(story=story, actor=contributor, code=equality)
