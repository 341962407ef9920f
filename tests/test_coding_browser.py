"""Coding a story by keyboard only, in a real headless Chromium.

A contributor tabs into the transcript, picks two segments with the arrow keys and Shift, finds a
value and a theme (by one of its synonyms) in the combobox, writes a memo, submits, and sees the
tags in the margin beside the segment they start on; then plays the excerpt in the player.
"""

from __future__ import annotations

import io
import json
import struct
import wave

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from coding.models import Tag
from coding.services import Excerpt, tag_create, tag_propose, theme_create
from stories.models import Value
from tests.coding_helpers import recorded_story, second_contributor
from tests.storyteller_helpers import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait(browser, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(browser, seconds)


def active(browser):
    return browser.switch_to.active_element


def keys(browser, *sequence) -> None:
    """Type into whatever has focus, as a keyboard would."""
    active(browser).send_keys(*sequence)


def tab_until(browser, matches, limit: int = 60):
    for _ in range(limit):
        keys(browser, Keys.TAB)
        element = active(browser)
        if matches(element):
            return element
    raise AssertionError("Tabbing never reached the expected control.")


def sign_in(browser, live_server, username: str, password: str) -> None:
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(password, Keys.ENTER)
    wait(browser).until(lambda b: "/accounts/login/" not in b.current_url)


def silent_wav(seconds: int = 30, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", 0) * seconds * rate)
    return buffer.getvalue()


@pytest.fixture
def story(make_story):
    story = recorded_story(make_story, title="Town hall")
    story.media.save("town-hall.wav", ContentFile(silent_wav()), save=True)
    theme_create(name="Being listened to", synonyms=["heard by the council"])
    return story


def test_a_contributor_codes_a_story_by_keyboard_and_sees_the_tags_in_the_margin(
    browser, live_server, contributor, story
):
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("coding:story", args=[story.pk]))

    # Into the transcript: one tab stop on its words; Down goes to the next segment, Shift+Down
    # takes in the whole segment after it, Enter tags.
    first = tab_until(browser, lambda e: "word" in (e.get_attribute("class") or "").split())
    assert first.text == "We"
    keys(browser, Keys.ARROW_DOWN)
    keys(browser, Keys.SHIFT, Keys.ARROW_DOWN)
    assert active(browser).text == "listened."
    keys(browser, Keys.ENTER)
    combo = active(browser)
    assert combo.get_attribute("role") == "combobox"
    summary = browser.find_element(By.ID, "selection-summary").text
    assert "14 words selected, 0:04 to 0:15" in summary
    assert browser.find_element(By.NAME, "start_unit").get_attribute("value") == "1"
    assert browser.find_element(By.NAME, "end_unit").get_attribute("value") == "2"

    # The combobox: type, the list opens with the first match active, Enter adds it.
    keys(browser, "equal")
    wait(browser).until(lambda b: combo.get_attribute("aria-expanded") == "true")
    keys(browser, Keys.ENTER)
    # A theme found by its synonym.
    keys(browser, "council")
    wait(browser).until(lambda b: combo.get_attribute("aria-expanded") == "true")
    listbox = browser.find_element(By.ID, combo.get_attribute("aria-controls"))
    assert "Being listened to" in listbox.text
    keys(browser, Keys.ARROW_DOWN, Keys.ARROW_UP)  # the list wraps and comes back
    keys(browser, Keys.ENTER)
    chips = browser.find_element(By.CSS_SELECTOR, ".chips").text
    assert "Equality" in chips and "Being listened to" in chips

    memo = tab_until(browser, lambda e: e.get_attribute("name") == "memo")
    memo.send_keys("The turning point: being listened to.")
    tab_until(browser, lambda e: e.get_attribute("type") == "submit")
    keys(browser, Keys.ENTER)

    wait(browser).until(lambda b: "#tag-" in b.current_url)
    tags = list(Tag.objects.filter(story=story).order_by("pk"))
    assert [t.code.name for t in tags] == [
        "Equality (and shifts in power differentials)",
        "Being listened to",
    ]
    assert all((t.start_seconds, t.end_seconds) == (4.0, 15.0) for t in tags)
    assert tags[0].memo == "The turning point: being listened to."

    # In the margin of the row of the segment the excerpt starts on.
    row = browser.find_element(By.ID, "unit-1").find_element(
        By.XPATH, "ancestor::div[contains(concat(' ', @class, ' '), ' coding-row ')][1]"
    )
    margin = row.find_element(By.CSS_SELECTOR, ".coding-margin").text
    assert "Equality" in margin and "Being listened to" in margin and "0:04\u20130:15" in margin
    assert "Tagged 0:04\u20130:15 with" in browser.find_element(By.CSS_SELECTOR, ".messages").text

    # Play the excerpt by keyboard: the player jumps to its start and stops at its end.
    play = tab_until(browser, lambda e: e.get_attribute("data-play") is not None)
    keys(browser, Keys.ENTER)
    player_time = "return document.getElementById('coding-player').currentTime"
    wait(browser).until(lambda b: b.execute_script(player_time) >= 4.0)
    assert play.get_attribute("data-start") == "4.000"
    wait(browser, 30).until(
        lambda b: b.execute_script("return document.getElementById('coding-player').paused")
    )
    assert 14.5 <= browser.execute_script(player_time) <= 16.0


def test_the_coding_pages_have_no_axe_violations(
    browser, live_server, contributor, storyteller, django_user_model, project, story
):
    cora = second_contributor(django_user_model, project)
    equality = Value.objects.get(slug="equality")
    tag_create(
        story=story, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15), memo="Yes."
    )
    tag_create(story=story, actor=cora, code=equality, excerpt=Excerpt.times(9.5, 21))
    tag_create(story=story, actor=cora, code=Value.objects.get(slug="human"))
    tag_propose(story=story, actor=storyteller, code=Value.objects.get(slug="reciprocity"))
    sign_in(browser, live_server, "connor", "pw-connor")
    pages = {
        "workspace": reverse("coding:workspace"),
        "coding screen": reverse("coding:story", args=[story.pk]),
        "agreement": reverse("coding:agreement", args=[story.pk]),
        "export": reverse("coding:export"),
        "edit tag": reverse(
            "coding:tag_edit", args=[story.tags.filter(created_by=contributor)[0].pk]
        ),
    }
    for name, path in pages.items():
        browser.get(live_server.url + path)
        found = axe_violations(browser)
        assert not found, f"{name}: " + json.dumps(found, indent=2)
    # The open combobox too.
    browser.get(live_server.url + pages["coding screen"])
    combo = browser.find_element(By.CSS_SELECTOR, "[role=combobox]")
    combo.send_keys("a")
    wait(browser).until(lambda b: combo.get_attribute("aria-expanded") == "true")
    found = axe_violations(browser)
    assert not found, "open combobox: " + json.dumps(found, indent=2)
