"""When Elasticsearch is down, pages still answer, commands say so, and the worker logs a line.

The drill points ELASTICSEARCH_URL at a closed port: nothing listens there.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command

from search.services import outbox_drain
from stories.models import StoryChange
from tests import public_site as site

pytestmark = pytest.mark.django_db

CLOSED = "http://127.0.0.1:9"


@pytest.fixture
def search_down(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = CLOSED
    settings.SEARCH_ES_TIMEOUT = 2


def _run(command: str, *args: str) -> tuple[int | str | None, str]:
    """Exit status and everything the command said; a raw exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, f"{out.getvalue()}{err.getvalue()}{exc}"
    except SystemExit as exc:
        return exc.code, f"{out.getvalue()}{err.getvalue()}"
    return 0, f"{out.getvalue()}{err.getvalue()}"


def test_a_story_page_answers_with_the_story_and_related_stories_from_the_tags(
    client, make_story, search_down, caplog
):
    garden = make_story(title="The garden group", text="We built a garden.")
    neighbour = make_story(title="Neighbours again", text="We met over the fence.")
    for story in (garden, neighbour):
        site.tag(story, theme=site.theme("Isolation"))
    with caplog.at_level(logging.INFO):
        response = client.get(site._story_address(garden))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The garden group" in page
    assert "Neighbours again" in page  # related, from the stories' shared themes
    assert "Related stories from search are not available right now" in page
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].exc_info is None
    assert "search" in problems[0].getMessage().lower()


def test_a_story_with_nothing_related_still_answers(client, make_story, search_down):
    story = make_story(title="Alone on the hill")
    response = client.get(site._story_address(story))
    assert response.status_code == 200
    assert "Alone on the hill" in response.content.decode()


@pytest.mark.parametrize("command", ["search_check", "search_reindex"])
def test_the_commands_exit_non_zero_with_their_own_message(make_story, search_down, command):
    make_story(title="Waiting for the index")
    code, said = _run(command)
    assert code not in (0, None)
    assert CLOSED in said
    assert "Traceback" not in said
    assert "Elasticsearch" in said


@pytest.mark.parametrize("command", ["search_check", "search_reindex"])
def test_the_commands_say_what_is_missing_when_no_node_is_configured(settings, command):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = ""
    code, said = _run(command)
    assert code not in (0, None)
    assert "ELASTICSEARCH_URL" in said


def test_a_failed_drain_logs_one_line_and_keeps_the_rows(make_story, search_down, caplog):
    make_story(title="Waiting")
    rows = StoryChange.objects.count()
    with caplog.at_level(logging.DEBUG):
        assert outbox_drain() == 0
    assert StoryChange.objects.count() == rows
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].exc_info is None
    assert "\n" not in problems[0].getMessage()


def test_a_drain_with_no_node_configured_logs_one_line(db, settings, caplog):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = ""
    with caplog.at_level(logging.DEBUG):
        assert outbox_drain() == 0
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].exc_info is None
