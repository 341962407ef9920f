"""In a real browser: a listener jumps by chapter, finds words in the story and steps through
them by keyboard, shares a moment and opens the link; a curator makes a chapter from a
suggestion; a storyteller adds one to their own story. axe-core checks each page on the way."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from public import links
from stories.chapters import chapter_save
from stories.models import Chapter, StoryKind
from tests import public_site as site
from tests.test_a11y_browser import check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CUES = site.cues_of(site.RECORDING)


@pytest.fixture
def browser(browser):
    """The shared browser without the pages it cached (public pages may be kept a minute)."""
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    browser.set_script_timeout(30)
    return browser


@pytest.fixture
def story(make_story, curator):
    made = make_story(
        title="Tuesday coffee mornings",
        kind=StoryKind.AUDIO,
        text="",
        consent={"attribution": "named"},
    )
    site.attach_recording(made)
    site.tag(made, theme=site.theme(), start_seconds=CUES[3].start, end_seconds=CUES[3].end)
    chapter_save(actor=curator, story=made, start=0, title="Long quiet days")
    chapter_save(
        actor=curator,
        story=made,
        start=CUES[2].start,
        title="Tea in the church hall",
        synopsis="Making the tea every Tuesday.",
        keywords="tea",
        values=[site.value()],
    )
    return made


def media_time(browser) -> float:
    return browser.execute_script("return document.querySelector('[data-player]').currentTime;")


def wait_for_time(browser, seconds: float) -> None:
    WebDriverWait(browser, 10).until(lambda b: abs(media_time(b) - seconds) < 0.6)


def sign_in(browser, live_server, user) -> None:
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys(user.username)
    browser.find_element(By.ID, "id_password").send_keys(f"pw-{user.username}")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)


def test_a_listener_jumps_by_chapter_finds_words_and_shares_a_moment(browser, live_server, story):
    browser.get(live_server.url + links.story_url(story))
    check(browser, "story page with its chapters")

    # Jump by chapter, from the keyboard: the recording moves there and the chapter is marked.
    chapter = browser.find_elements(By.CSS_SELECTOR, "a.chapter-link")[1]
    chapter.send_keys(Keys.ENTER)
    wait_for_time(browser, CUES[2].start)
    current = "li.chapter.is-current a[aria-current='true']"
    WebDriverWait(browser, 10).until(
        lambda b: "Tea in the church hall" in b.find_element(By.CSS_SELECTOR, current).text
    )
    assert "/explore/" in browser.current_url and "t=" not in browser.current_url  # no reload

    # Find words: the form reloads the page with the places listed and marked.
    box = browser.find_element(By.ID, "find-q")
    box.send_keys("days mornings", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".hits a.hit"))
    hits = browser.find_elements(By.CSS_SELECTOR, ".hits a.hit")
    assert [h.get_attribute("data-seek-to") for h in hits] == [
        f"{CUES[0].start:g}",
        f"{CUES[2].start:g}",
    ]
    marked = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "[data-transcript] mark")]
    assert marked == ["days", "morning"]
    WebDriverWait(browser, 10).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "[data-hit-marks] .hit-mark")) == 2
    )
    check(browser, "story page with words found")

    # Step through the places with the keyboard: Next, Next (back to the first), Previous.
    following = browser.find_element(By.CSS_SELECTOR, "[data-hit-step='1']")
    following.send_keys(Keys.ENTER)
    wait_for_time(browser, CUES[0].start)
    following.send_keys(Keys.ENTER)
    wait_for_time(browser, CUES[2].start)
    assert hits[1].get_attribute("aria-current") == "true"
    announced = browser.find_element(By.CSS_SELECTOR, "[data-hit-announce]").text
    assert announced == "Place 2 of 2, at 0:10"
    browser.find_element(By.CSS_SELECTOR, "[data-hit-step='-1']").send_keys(Keys.ENTER)
    wait_for_time(browser, CUES[0].start)

    # Share this moment: the link holds the current second, and opening it lands there.
    browser.execute_script("document.querySelector('[data-player]').currentTime = 12.4;")
    wait_for_time(browser, 12.4)
    browser.find_element(By.CSS_SELECTOR, "[data-share-moment]").send_keys(Keys.ENTER)
    field = browser.find_element(By.ID, "moment-link")
    WebDriverWait(browser, 10).until(lambda b: "t=12" in field.get_attribute("value"))
    shared = field.get_attribute("value")
    assert shared == links.story_url(story, at=12, full=True)  # on the archive's own address
    browser.get(live_server.url + shared[shared.index("/explore/") :])
    wait_for_time(browser, 12.0)


def test_arriving_from_a_search_result_marks_the_words_at_that_moment(browser, live_server, story):
    browser.get(live_server.url + links.story_url(story, at=CUES[3].start, query="alone"))
    wait_for_time(browser, CUES[3].start)
    current = browser.find_element(By.CSS_SELECTOR, "a.cue[aria-current='true']")
    assert [m.text for m in current.find_elements(By.TAG_NAME, "mark")] == ["alone"]


def test_a_curator_makes_a_chapter_from_a_suggestion(browser, live_server, story, curator):
    Chapter.objects.filter(story=story).delete()
    sign_in(browser, live_server, curator)
    browser.get(live_server.url + reverse("wagtailsnippets_stories_story:inspect", args=[story.pk]))
    browser.find_element(By.LINK_TEXT, "Chapters").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "chapter-suggestions"))
    check(browser, "the curator's chapters page")
    suggestions = browser.find_elements(By.CSS_SELECTOR, "[data-suggestion]")
    assert "Tagged with Isolation." in suggestions[-1].text
    suggestions[-1].find_element(By.PARTIAL_LINK_TEXT, "Use this suggestion").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.ID, "id_title").get_attribute("value")
    )
    assert browser.find_element(By.ID, "id_start").get_attribute("value") == "0:15"
    theme = browser.find_element(By.CSS_SELECTOR, f"input[name=themes][value='{site.theme().pk}']")
    assert theme.is_selected()
    title = browser.find_element(By.ID, "id_title")
    title.clear()
    title.send_keys("Nobody alone")
    browser.find_element(By.ID, "id_synopsis").send_keys("Forty people at the coffee morning.")
    title.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: "Chapter “Nobody alone” saved." in b.page_source)
    made = Chapter.objects.get(story=story)
    assert (made.start, made.title) == (15.0, "Nobody alone")
    assert list(made.themes.all()) == [site.theme()]

    browser.get(live_server.url + links.story_url(story))
    assert "Nobody alone" in browser.find_element(By.ID, "chapters").text


def test_a_storyteller_adds_a_chapter_to_their_own_story(browser, live_server, story, storyteller):
    sign_in(browser, live_server, storyteller)
    browser.get(live_server.url + reverse("storyteller:detail", args=[story.pk]))
    browser.find_element(By.PARTIAL_LINK_TEXT, "Chapters of your story").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "chapter-form"))
    check(browser, "the storyteller's chapters page")
    browser.find_element(By.ID, "id_start").send_keys("0:05")
    title = browser.find_element(By.ID, "id_title")
    title.send_keys("A knock at the door")
    title.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(
        lambda b: "Chapter “A knock at the door” saved." in b.page_source
    )
    # A start already taken is refused with words that say why.
    browser.find_element(By.ID, "id_start").send_keys("0:05")
    browser.find_element(By.ID, "id_title").send_keys("Again", Keys.ENTER)
    WebDriverWait(browser, 10).until(
        lambda b: "Another chapter already starts at 0:05." in b.page_source
    )
    check(browser, "the storyteller's chapters page with an error")
    assert Chapter.objects.filter(story=story).count() == 3


def test_without_javascript_chapters_finding_and_sharing_still_work(browser, live_server, story):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_server.url + links.story_url(story))
        # The JavaScript-only controls stay hidden; the link field is there to copy.
        assert not browser.find_element(By.CSS_SELECTOR, "[data-share-moment]").is_displayed()
        assert browser.find_element(By.ID, "moment-link").get_attribute("value") == (
            links.story_url(story, at=0, full=True)
        )
        # A chapter is a link that reloads the page with the player at its start.
        browser.find_elements(By.CSS_SELECTOR, "a.chapter-link")[1].click()
        WebDriverWait(browser, 10).until(lambda b: "t=" in b.current_url)
        player = browser.find_element(By.CSS_SELECTOR, "[data-player]")
        assert player.get_attribute("src").endswith(f"#t={CUES[2].start:g}")
        assert browser.find_element(By.ID, "moment-link").get_attribute("value") == (
            links.story_url(story, at=CUES[2].start, full=True)
        )
        # Finding words is a form: the places come back listed, as links to their moments.
        browser.find_element(By.ID, "find-q").send_keys("tea", Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda b: "q=tea" in b.current_url)
        hits = browser.find_elements(By.CSS_SELECTOR, ".hits a.hit")
        assert [h.find_element(By.TAG_NAME, "mark").text for h in hits] == ["tea"]
        assert not browser.find_element(By.CSS_SELECTOR, "[data-hit-steps]").is_displayed()
        hits[0].click()
        WebDriverWait(browser, 10).until(lambda b: "t=" in b.current_url)
        player = browser.find_element(By.CSS_SELECTOR, "[data-player]")
        assert player.get_attribute("src").endswith(f"#t={CUES[2].start:g}")
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
