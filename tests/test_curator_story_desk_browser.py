"""axe-core, in a real headless Chromium, finds no accessibility violation on the story screen,
before and while its recording plays from a transcript line."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests import public_site as site
from tests.test_a11y_browser import check
from tests.test_curator_story_desk import recorded_story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_story_screen_has_no_axe_violations(
    browser, live_server, curator, make_story, storyteller
):
    story = recorded_story(make_story, storyteller, tags=2)
    site.collection([story], title="Coffee and company")
    browser.set_script_timeout(30)
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys(curator.username)
    browser.find_element(By.ID, "id_password").send_keys(f"pw-{curator.username}")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)

    browser.get(live_server.url + reverse("wagtailsnippets_stories_story:inspect", args=[story.pk]))
    assert browser.find_element(By.ID, "desk-status").text == "Status: Published"
    check(browser, "story screen")
    line = browser.find_elements(By.CSS_SELECTOR, "[data-transcript] [data-seek]")[1]
    line.send_keys(Keys.ENTER)  # a keyboard user's way to play from a line
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "[data-transcript] li.is-current")
    )
    check(browser, "story screen, playing")
