"""The Wagtail admin's history never keeps a story's title: it outlives consent.

The site history report (and its CSV and XLSX exports) lists every log entry to every curator,
whatever the story's consent says now. Story log entries are labelled "Story <id>" when they
are written, and older entries got the same label (stories migration 0008).
"""

from __future__ import annotations

import datetime
import importlib
import io

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from stories import services
from stories.models import ConsentMethod, Story

pytestmark = pytest.mark.django_db

SITE_HISTORY = "/admin/reports/site-history/"
TITLE = "Quokka on the ring road"
NONE_AGREED = {"archive": False, "researchers": False, "public": False}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def expire(story, storyteller) -> None:
    services.consent_record(
        story=story,
        actor=storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        researchers=True,
        public=True,
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def edited_in_the_admin(client, curator, make_story):
    """A story a curator edited in the admin while they could see it."""
    story = make_story(title=TITLE, status="approved", consent={"public": False})
    client.force_login(curator)
    response = client.post(
        f"/admin/snippets/stories/story/edit/{story.pk}/",
        {"title": TITLE, "summary": "", "project": "", "language": "en", "told_on": ""},
    )
    assert response.status_code == 302
    client.get(response["Location"])  # the "Story '…' updated." message, read while visible
    assert ModelLogEntry.objects.filter(object_id=str(story.pk), action="wagtail.edit").exists()
    return story


def test_site_history_and_its_exports_do_not_name_a_story_whose_consent_expired(
    client, curator, storyteller, edited_in_the_admin
):
    story = edited_in_the_admin
    expire(story, storyteller)
    client.force_login(curator)

    page = client.get(SITE_HISTORY)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Story {story.pk}" in html  # the entry is there, by its id
    assert TITLE not in html

    csv_export = client.get(SITE_HISTORY, {"export": "csv"})
    assert csv_export.status_code == 200
    text = body(csv_export).decode("utf-8-sig")
    assert f"Story {story.pk}" in text
    assert TITLE not in text

    xlsx_export = client.get(SITE_HISTORY, {"export": "xlsx"})
    assert xlsx_export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body(xlsx_export))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert f"Story {story.pk}" in cells
    assert not any(TITLE in c for c in cells)


@pytest.mark.parametrize("gone", ["taken out of the archive", "never agreed"])
def test_other_ways_out_of_reach_leave_no_title_either(
    client, curator, storyteller, make_story, gone
):
    if gone == "never agreed":
        story = make_story(title=TITLE, status="draft", consent=NONE_AGREED)
    else:
        story = make_story(title=TITLE)
        services.consent_record(
            story=story, actor=storyteller, method=ConsentMethod.WRITTEN, **NONE_AGREED
        )
    log(story, "wagtail.edit", user=curator)  # however an entry is written
    client.force_login(curator)
    assert TITLE not in client.get(SITE_HISTORY).content.decode()
    assert TITLE not in body(client.get(SITE_HISTORY, {"export": "csv"})).decode("utf-8-sig")


def test_a_story_own_history_names_it_by_id(client, curator, edited_in_the_admin):
    story = edited_in_the_admin
    entry = ModelLogEntry.objects.get(object_id=str(story.pk), action="wagtail.edit")
    assert entry.label == f"Story {story.pk}"
    client.force_login(curator)
    history = client.get(f"/admin/snippets/stories/story/history/{story.pk}/", {"export": "csv"})
    assert history.status_code == 200


def test_entries_written_before_keep_no_title_after_the_migration(curator, make_story):
    story = make_story(title=TITLE)
    log(story, "wagtail.edit", user=curator)
    story_type = ContentType.objects.get_for_model(Story)
    # As an entry written before the archive labelled story entries by id.
    ModelLogEntry.objects.filter(content_type=story_type).update(label=TITLE)
    migration = importlib.import_module("stories.migrations.0008_story_admin_history_labels")
    migration.neutral_labels(django_apps, None)
    assert set(
        ModelLogEntry.objects.filter(content_type=story_type).values_list("label", flat=True)
    ) == {f"Story {story.pk}"}
