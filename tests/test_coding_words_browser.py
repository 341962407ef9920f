"""Coding at word precision in a real headless Chromium: a drag over words, or Shift+arrows in
the transcript, makes an excerpt of exactly those words, with their times."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from coding import units
from coding.models import Tag
from stories.models import Theme
from tests.coding_helpers import recorded_story
from tests.storyteller_helpers import axe_violations
from tests.test_coding_browser import active, keys, sign_in, tab_until, wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def word(browser, text: str):
    return browser.find_element(
        By.XPATH, f"//span[contains(concat(' ', @class, ' '), ' word ') and text()='{text}']"
    )


def choose_equality_and_submit(browser) -> None:
    combo = browser.find_element(By.CSS_SELECTOR, "[role=combobox]")
    combo.send_keys("equal")
    wait(browser).until(lambda b: combo.get_attribute("aria-expanded") == "true")
    combo.send_keys(Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, "form[data-tag-form] button[type=submit]").click()
    wait(browser).until(lambda b: "#tag-" in b.current_url)


def test_a_drag_over_words_tags_exactly_those_words(browser, live_server, contributor, make_story):
    story = recorded_story(make_story, title="Town hall")
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))
    first, last = word(browser, "asked"), word(browser, "needed")
    ActionChains(browser).click_and_hold(first).move_to_element(last).release().perform()
    summary = browser.find_element(By.ID, "selection-summary").text
    assert "5 words selected" in summary and "asked us what we needed" in summary
    start, end = float(first.get_attribute("data-start")), float(last.get_attribute("data-end"))
    choose_equality_and_submit(browser)

    tag = Tag.objects.get(story=story)
    assert (tag.start_seconds, tag.end_seconds) == pytest.approx((start, end), abs=1e-3)
    assert units.quotes([tag])[tag.pk] == "asked us what we needed"


def test_shift_and_the_arrows_tag_exactly_the_words_they_take_in(
    browser, live_server, contributor, make_story
):
    story = recorded_story(make_story, title="Town hall")
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))
    tab_until(browser, lambda e: "word" in (e.get_attribute("class") or "").split())
    # From "We" (first word): Down to "Nobody", Right twice to "us", then Shift+Right across a
    # segment boundary to "Then" (the next segment's first word).
    keys(browser, Keys.ARROW_DOWN, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert active(browser).text == "us"
    for _ in range(6):
        keys(browser, Keys.SHIFT, Keys.ARROW_RIGHT)
    assert active(browser).text == "Then"
    keys(browser, Keys.ENTER)
    summary = browser.find_element(By.ID, "selection-summary").text
    assert "7 words selected" in summary and "us what we needed at first. Then" in summary
    start = float(word(browser, "us").get_attribute("data-start"))
    end = float(word(browser, "Then").get_attribute("data-end"))
    choose_equality_and_submit(browser)

    tag = Tag.objects.get(story=story)
    assert (tag.start_seconds, tag.end_seconds) == pytest.approx((start, end), abs=1e-3)
    assert units.quotes([tag])[tag.pk] == "us what we needed at first. Then"


def test_the_codebook_filter_keeps_matching_codes_in_view(
    browser, live_server, contributor, make_story
):
    story = recorded_story(make_story, title="Town hall")
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))
    box = browser.find_element(By.ID, "codebook-filter")
    box.send_keys("equal")
    visible = [
        e.text
        for e in browser.find_elements(By.CSS_SELECTOR, ".codebook-entry .codebook-name")
        if e.is_displayed()
    ]
    assert visible == ["Equality (and shifts in power differentials)"]
    wait(browser).until(
        lambda b: "1 value or theme matches" in b.find_element(By.ID, "codebook-filter-status").text
    )


def test_a_coder_suggests_a_theme_and_a_curator_accepts_it_renamed(
    browser, live_server, contributor, curator, make_story
):
    story = recorded_story(make_story, title="Town hall")
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))
    browser.find_element(By.ID, "suggest-name").send_keys("Phone meetings")
    browser.find_element(By.ID, "suggest-note").send_keys("Joining by phone while shielding.")
    browser.find_element(By.CSS_SELECTOR, "#suggest-theme button[type=submit]").click()
    wait(browser).until(
        lambda b: "You suggested the theme" in b.find_element(By.CSS_SELECTOR, ".messages").text
    )
    browser.delete_all_cookies()

    sign_in(browser, live_server, "cura", "pw-cura")
    browser.get(live_server.url + reverse("coding:theme_suggestions"))
    found = axe_violations(browser)
    assert not found, json.dumps(found, indent=2)
    name = browser.find_element(By.CSS_SELECTOR, "input[id^=accept-name-]")
    assert name.get_attribute("value") == "Phone meetings"
    name.clear()
    name.send_keys("Taking part by phone", Keys.ENTER)
    wait(browser).until(lambda b: "is now in the codebook" in b.page_source)
    theme = Theme.objects.get(name="Taking part by phone")
    assert [s.name for s in theme.synonyms.all()] == ["Phone meetings"]

    # Back on the coding screen the new theme is in the codebook.
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))
    codebook = browser.find_element(By.ID, "codebook").text
    assert "Taking part by phone" in codebook
