"""Journeys through the archive's doors, in a real headless Chromium: a listener finds a
recording's IIIF manifest and the podcasts; a curator brings an OHMS record onto a story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from public import links
from stories.models import Chapter, StoryKind
from tests import public_site as site
from tests.test_a11y_browser import check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OHMS_FILE = Path(__file__).resolve().parent / "ohms" / "synced_interview.xml"


def press(browser, element) -> None:
    """Activate a link or button from the keyboard, as a keyboard user would (the admin's
    sticky footer can lie over a pointer's click)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.send_keys(Keys.ENTER)


def test_a_listener_finds_the_manifest_and_the_podcasts(browser, live_server, make_story):
    story = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    page = site.collection([story], title="Coffee and company")
    browser.delete_all_cookies()

    browser.get(live_server.url + links.story_url(story))
    player = browser.find_element(By.ID, "player")
    manifest_link = player.find_element(By.PARTIAL_LINK_TEXT, "IIIF manifest")
    podcast_link = player.find_element(By.PARTIAL_LINK_TEXT, "Podcast")
    assert podcast_link.get_attribute("href").endswith(reverse("archive_feeds:podcast"))
    check(browser, "story page with its IIIF and podcast links")
    manifest_link.click()
    WebDriverWait(browser, 10).until(lambda b: "manifest.json" in b.current_url)
    manifest = json.loads(browser.find_element(By.TAG_NAME, "body").text)
    assert manifest["type"] == "Manifest"
    assert manifest["label"] == {"en": ["Tuesday coffee mornings"]}

    browser.get(live_server.url + page.url)
    feed = browser.find_element(By.LINK_TEXT, "Podcast of this collection")
    assert feed.get_attribute("href").endswith(
        reverse("archive_feeds:collection-podcast", args=[page.pk])
    )
    check(browser, "collection page with its podcast and IIIF links")


def test_a_curator_imports_an_ohms_record_from_the_story_screen(
    browser, live_server, curator, make_story
):
    story = make_story(title="Coffee mornings", kind=StoryKind.AUDIO, text="", status="draft")
    site.attach_recording(story)
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys(curator.username)
    browser.find_element(By.ID, "id_password").send_keys(f"pw-{curator.username}")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)

    browser.get(live_server.url + reverse("wagtailsnippets_stories_story:inspect", args=[story.pk]))
    actions = browser.find_element(By.CSS_SELECTOR, "[data-actions]")
    press(browser, actions.find_element(By.LINK_TEXT, "Import an OHMS record"))
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "file"))
    check(browser, "OHMS import page")
    chooser = browser.find_element(By.ID, "file")
    chooser.send_keys(str(OHMS_FILE))
    press(browser, chooser.find_element(By.XPATH, "./ancestor::form//button[@type='submit']"))

    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "desk-status"))
    # The admin shows its messages by script once the page has loaded: wait for the words.
    WebDriverWait(browser, 10).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "2 chapters")
    )
    assert [c.title for c in Chapter.objects.filter(story=story)] == [
        "How it began",
        "Why people came back",
    ]
