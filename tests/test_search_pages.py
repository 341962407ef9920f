"""The search pages: accessible forms, facets in fieldsets, results with play-from links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from search.services import outbox_drain
from tests.search_support import add_transcript, tag, theme


@pytest.fixture
def archive(search_backend, make_story):
    isolation = theme("Isolation", "loneliness")
    bus = make_story(title="The last bus", kind="audio", text="")
    add_transcript(
        bus, [(0.0, 6.0, "It was a cold night."), (83.0, 95.0, "The loneliness hit me.")]
    )
    tag(bus, isolation, start=83.0, end=95.0)
    make_story(title="Research only", text="Loneliness in the ward.", status="approved")
    outbox_drain()
    search_backend.refresh()
    return bus


def test_the_public_page_works_without_javascript(client, archive):
    response = client.get(reverse("search:public"), {"q": "isolation"})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<form class="search-form" role="search" method="get"' in html
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    assert re.search(r"<fieldset class=\"facet\">\s*<legend>Theme</legend>", html)
    assert '<label for="sort">Order</label>' in html
    assert '<button type="submit" class="apply">Apply filters</button>' in html
    assert '<h2 id="results-heading" tabindex="-1">' in html
    assert "1 story for “isolation”" in html
    assert '<h3 id="hit-' in html and "The last bus" in html
    assert "<mark>loneliness</mark>" in html
    assert re.search(r'href="[^"]*t=83[^"]*">Play from 1:23<span class="visually-hidden">', html)
    # The moment's link carries the query, so the story page marks the words there.
    assert re.search(r'href="[^"]*\?t=83&amp;q=isolation#player">Play from 1:23', html)
    assert "Research only" not in html


def test_the_public_page_shows_only_public_stories_to_a_signed_in_researcher(
    client, archive, researcher
):
    client.force_login(researcher)
    html = client.get(reverse("search:public"), {"q": "loneliness"}).content.decode()
    assert "Research only" not in html
    research = client.get(reverse("search:research"), {"q": "loneliness"}).content.decode()
    assert "Research only" in research and "The last bus" in research


def test_the_research_page_asks_people_to_sign_in(client, db):
    response = client.get(reverse("search:research"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_checked_facets_filter_and_stay_checked(client, archive):
    html = client.get(reverse("search:public"), {"kind": "audio", "q": ""}).content.decode()
    assert re.search(r'name="kind" value="audio" id="[^"]+" checked', html)
    assert "1 story" in html


def test_an_outage_says_what_went_wrong_and_what_to_do(client, db, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    response = client.get(reverse("search:public"), {"q": "bus"})
    assert response.status_code == 503
    assert "try again in a few minutes" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_suggestions_as_you_type_work_from_the_keyboard(browser, live_server, make_story, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    settings.SEARCH_BACKEND = "database"
    make_story(title="The garden group", text="We dug together.")
    outbox_drain()

    browser.get(live_server.url + reverse("search:public"))
    box = browser.find_element(By.ID, "q")
    assert box.get_attribute("role") == "combobox"
    box.send_keys("gard")
    wait = WebDriverWait(browser, 10)
    option = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#q-suggestions li")))
    assert option.text.startswith("The garden group")
    assert box.get_attribute("aria-expanded") == "true"
    assert "1 suggestion" in browser.find_element(By.ID, "q-status").get_attribute("textContent")
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.send_keys(Keys.ENTER)
    wait.until(ec.url_contains("q=The+garden+group"))
    heading = browser.find_element(By.ID, "results-heading").text
    assert heading.startswith("1 story")


def test_a_moment_found_says_who_speaks_there_as_the_consent_names_them(
    client, search_backend, make_story
):
    from stories.models import Segment, Speaker

    bus = make_story(
        title="The last bus", kind="audio", text="", consent={"attribution": "anonymous"}
    )
    transcript = add_transcript(
        bus, [(0.0, 6.0, "Where were you that night?"), (6.5, 12.0, "Alone at the bus stop.")]
    )
    asker = Speaker.objects.create(transcript=transcript, label="S1", name="Interviewer")
    me = Speaker.objects.create(transcript=transcript, label="S2", is_storyteller=True)
    Segment.objects.filter(transcript=transcript, index=0).update(speaker=asker)
    Segment.objects.filter(transcript=transcript, index=1).update(speaker=me)
    outbox_drain()
    search_backend.refresh()
    html = client.get(reverse("search:public"), {"q": "bus stop"}).content.decode()
    assert '<strong class="speaker">Anonymous storyteller:</strong>' in html
    assert "Stella" not in html
    html = client.get(reverse("search:public"), {"q": "night"}).content.decode()
    assert '<strong class="speaker">Interviewer:</strong>' in html
