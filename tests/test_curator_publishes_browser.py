"""A curator publishes a story in the admin, in a real headless Chromium, then unpublishes it.

Published, it shows on its public collection page; unpublished, it is gone from every public
path at once (story page, public search, RSS feed, sitemap, API, media) while a researcher,
whose consent covers it, still finds it in research search.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from public import links
from search.services import outbox_drain
from stories.models import StoryKind, StoryStatus
from tests.public_site import attach_recording, collection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MARKER = "Wombleton"  # a word only this story has


def wait(browser, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(browser, seconds)


def said(browser, text: str) -> None:
    """The admin's message area says `text`."""
    wait(browser).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), text))


def fetch(url: str) -> tuple[int, str]:
    """What an anonymous visitor gets: the status and the body."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the live server)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def search_db(settings):
    """The embedded search backend (the archive's default without Elasticsearch)."""
    settings.SEARCH_BACKEND = "database"


def drain() -> None:
    """What the worker does every few seconds: follow the change log into search."""
    outbox_drain()


def sign_in_to_admin(browser, base: str, username: str, password: str) -> None:
    browser.get(base + reverse("wagtailadmin_login"))
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser).until(lambda b: "/admin/login/" not in b.current_url)


def act_from_the_listing(browser, base: str, story, action: str, button: str) -> None:
    """Find the story's row in the Stories listing, follow its action, confirm it."""
    browser.get(base + "/admin/snippets/stories/story/?q=" + MARKER)
    row = wait(browser).until(
        ec.presence_of_element_located((By.XPATH, f"//tr[.//a[contains(., '{story.title}')]]"))
    )
    row.find_element(By.CSS_SELECTOR, "[data-w-dropdown-target='toggle']").click()  # "More"
    link = f"a[href*='/admin/publication/{story.pk}/{action}/']"
    wait(browser).until(ec.element_to_be_clickable((By.CSS_SELECTOR, link))).click()
    wait(browser).until(ec.title_contains(button))
    browser.find_element(By.XPATH, f"//button[normalize-space()='{button}']").click()
    wait(browser).until(lambda b: "/admin/publication/" not in b.current_url)


def test_a_curator_publishes_then_unpublishes_and_the_public_loses_it_everywhere(
    browser, live_server, curator, researcher, make_story, search_db
):
    base = live_server.url
    story = make_story(
        status="approved", title=f"Mornings in {MARKER}", kind=StoryKind.AUDIO, text=""
    )
    attach_recording(story)
    page = collection([story], title="Mornings together")
    drain()
    story_path = links.story_url(story)
    story_page = base + story_path
    media = base + reverse("stories:media", args=[story.pk, "media"])
    assert fetch(story_page)[0] == 404  # approved, not yet published
    assert story.title not in fetch(base + page.url)[1]

    # The curator publishes it from the Stories listing.
    sign_in_to_admin(browser, base, "cura", "pw-cura")
    act_from_the_listing(browser, base, story, "publish", "Publish")
    wait(browser).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "is published")
    )
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    drain()

    # Anyone sees it on the public collection page, its own page, and every public path.
    browser.delete_all_cookies()
    browser.get(base + page.url)
    assert story.title in browser.find_element(By.TAG_NAME, "main").text
    assert fetch(story_page)[0] == 200
    assert fetch(media)[0] == 200
    public_paths = {
        "search": base + "/search/?q=" + MARKER,
        "feed": base + reverse("archive_feeds:rss"),
        "sitemap": base + "/sitemap-stories.xml",
        "api search": base + "/api/search?scope=public&q=" + MARKER,
    }
    for name, url in public_paths.items():
        assert story_path in fetch(url)[1], name  # a link to its page
    api_story = base + f"/api/stories/{story.pk}"
    assert fetch(api_story)[0] == 200

    # The curator unpublishes it, from the same listing.
    sign_in_to_admin(browser, base, "cura", "pw-cura")
    act_from_the_listing(browser, base, story, "unpublish", "Unpublish")
    said(browser, "is off the public site")
    drain()

    # Gone from every public path.
    browser.delete_all_cookies()
    assert MARKER not in fetch(base + page.url)[1]
    # The browser itself may keep a public page for ARCHIVE_PUBLIC_CACHE_SECONDS: ask afresh.
    browser.get(base + page.url + "?after=unpublish")
    assert MARKER not in browser.find_element(By.TAG_NAME, "main").text
    assert fetch(story_page)[0] == 404
    assert fetch(media)[0] == 404
    assert fetch(api_story)[0] == 404
    for name, url in public_paths.items():
        status, body = fetch(url)
        assert story_path not in body and story.title not in body, name
        assert status in (200, 404), name

    # A researcher, whose consent covers it, still finds it in research search.
    browser.get(base + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys("rhea")
    browser.find_element(By.ID, "id_password").send_keys("pw-rhea")
    browser.find_element(By.ID, "id_password").submit()
    wait(browser).until(lambda b: "/accounts/login/" not in b.current_url)
    browser.get(base + reverse("search:research") + "?q=" + MARKER)
    assert story.title in browser.find_element(By.TAG_NAME, "main").text
