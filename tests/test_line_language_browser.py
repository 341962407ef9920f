"""In a real headless Chromium, a storyteller sets a short line's language by keyboard alone in
the transcript studio: the line is redrawn in place carrying `lang`; axe finds nothing to fix."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from stories.models import Segment, Transcript
from tests.storyteller_helpers import axe_violations, recording_awaiting_review
from tests.test_journey_browser import press, sign_in, wait
from tests.test_transcript_studio_browser import open_line, status_says

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPEECH = "When the library closed, older people lost a place to meet. Sí, claro que sí."
LINES = [
    (0.0, 3.5, "When the library closed, older people lost a place to meet."),
    (3.5, 5.0, "Sí, claro que sí."),  # too short for detection to judge
]


@pytest.fixture
def story(storyteller, tmp_path):
    story = recording_awaiting_review(storyteller, tmp_path, SPEECH)
    transcript = Transcript.objects.create(story=story, duration=5.0, language="en")
    for index, (start, end, text) in enumerate(LINES):
        Segment.objects.create(transcript=transcript, index=index, start=start, end=end, text=text)
    return story


def test_a_storyteller_sets_a_lines_language_by_keyboard(browser, live_server, story):
    sign_in(browser, live_server, "stella", "pw-stella")
    browser.get(live_server.url + reverse("storyteller:review", args=[story.pk]))
    browser.execute_script("window.notReloaded = true")
    line = open_line(browser, 2)
    choice = line.find_element(By.CSS_SELECTOR, "select[name=language]")
    label = line.find_element(By.CSS_SELECTOR, f'label[for="{choice.get_attribute("id")}"]')
    assert label.text == "Language of line 2"
    browser.execute_script("arguments[0].focus()", choice)
    # Same as the recording, English, Welsh, Spanish: three steps down.
    choice.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert choice.get_attribute("value") == "es"
    save = line.find_element(By.XPATH, ".//button[normalize-space()='Save language']")
    press(save)
    status_says(browser, "Line 2: language saved.")
    assert browser.execute_script("return window.notReloaded") is True  # redrawn in place
    words = browser.find_element(By.CSS_SELECTOR, '[data-line="2"] [data-words]')
    wait(browser).until(lambda b: words.get_attribute("lang") == "es")
    segment = Segment.objects.get(transcript__story=story, index=1)
    assert (segment.language, segment.language_set) == ("es", True)

    if problems := axe_violations(browser):
        pytest.fail(f"axe found: {problems}")
