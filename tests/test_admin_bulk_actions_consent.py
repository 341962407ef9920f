"""The admin's bulk actions on stories name only the stories the curator may see.

Wagtail's bulk confirmation lists the chosen objects, and those the person may not act on, by
name; the ids come from the address, so anyone could ask for any id.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

NOT_KEPT = {"archive": False, "researchers": False, "public": False}


def test_the_bulk_delete_confirmation_names_no_story_the_curator_may_not_see(
    client, curator, make_story
):
    seen = make_story(title="Seen by the curator")
    hidden = make_story(title="Kept to themselves", status="draft", consent=NOT_KEPT)
    client.force_login(curator)
    response = client.get(f"/admin/bulk/stories/story/delete/?id={seen.pk}&id={hidden.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert hidden.title not in html
    assert seen.title in html  # listed, as a story that cannot be deleted here
    only_hidden = client.get(f"/admin/bulk/stories/story/delete/?id={hidden.pk}")
    assert hidden.title not in only_hidden.content.decode()
