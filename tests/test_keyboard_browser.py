"""Keyboard only: reach a collection, open a story, play it, jump by transcript line.

Also: without JavaScript, the transcript still reads as text with times, and its links start
the player at that line.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests import public_site as site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(browser):
    """The shared browser without the pages it cached (public pages may be kept a minute)."""
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    return browser


@pytest.fixture
def archive_pages(make_story, storyteller):
    return site.build_public_archive(make_story, storyteller)


def press(browser, *keys) -> None:
    ActionChains(browser).send_keys(*keys).perform()


def tab_to(browser, matches, *, limit: int = 60):
    """Press Tab until `matches(active element)`; every stop must show where focus is."""
    for _ in range(limit):
        press(browser, Keys.TAB)
        active = browser.switch_to.active_element
        outline = browser.execute_script(
            "const s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + s.boxShadow;",
            active,
        )
        assert not outline.startswith("none none"), f"no visible focus on {active.text!r}"
        if matches(active):
            return active
    raise AssertionError("Tab never reached the element")


def media_state(browser) -> dict:
    return browser.execute_script(
        "const m = document.querySelector('[data-player]');"
        "return {paused: m.paused, time: m.currentTime};"
    )


def current_line(browser) -> str:
    return browser.execute_script(
        "const c = document.querySelector('a.cue[aria-current=\"true\"]');"
        "return c ? c.dataset.start : null;"
    )


def test_keyboard_walk_from_home_through_a_collection_to_a_playing_story(
    browser, live_server, archive_pages
):
    cues = site.cues_of(site.RECORDING)
    browser.get(live_server.url + "/")

    collection = live_server.url + archive_pages["collection"]
    tab_to(browser, lambda el: el.get_attribute("href") == collection)
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.current_url == collection)

    # The collection lists its stories in order; Tab reaches the first and Enter opens it.
    tab_to(browser, lambda el: "Tuesday coffee mornings" in el.text)
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: "tuesday-coffee-mornings" in b.current_url)

    # Enter on the first transcript line plays the story from there.
    first = tab_to(browser, lambda el: "cue" in (el.get_attribute("class") or ""))
    assert first.get_attribute("data-start") == f"{cues[0].start:g}"
    assert "0:00" in first.text
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: not media_state(b)["paused"])
    WebDriverWait(browser, 10).until(lambda b: media_state(b)["time"] > 0.3)

    # Down arrow moves between lines; Enter jumps the recording to that line.
    press(browser, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("data-start") == f"{cues[2].start:g}"
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: media_state(b)["time"] >= cues[2].start)
    state = media_state(browser)
    assert cues[2].start <= state["time"] < cues[2].end
    assert not state["paused"]
    assert current_line(browser) == f"{cues[2].start:g}"

    # As the recording goes on, the highlighted line follows it.
    WebDriverWait(browser, 15).until(lambda b: current_line(b) == f"{cues[3].start:g}")


def test_without_javascript_the_transcript_links_start_the_player_at_their_line(
    browser, live_server, archive_pages
):
    cues = site.cues_of(site.RECORDING)
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_server.url + archive_pages["audio story"])
        lines = browser.find_elements(By.CSS_SELECTOR, "ol.transcript li")
        times = [line.find_element(By.CLASS_NAME, "cue-time").text for line in lines]
        assert [t.split()[-1] for t in times] == ["0:00", "0:05", "0:10", "0:15"]
        assert cues[1].text in lines[1].text
        # The JavaScript-only control stays hidden; everything else is there.
        assert not browser.find_element(By.CSS_SELECTOR, "[data-follow-toggle]").is_displayed()

        lines[2].find_element(By.TAG_NAME, "a").click()

        WebDriverWait(browser, 10).until(lambda b: "t=" in b.current_url)
        player = browser.find_element(By.CSS_SELECTOR, "[data-player]")
        assert player.get_attribute("src").endswith(f"#t={cues[2].start:g}")
        WebDriverWait(browser, 10).until(
            lambda b: abs(media_state(b)["time"] - cues[2].start) < 0.05
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
