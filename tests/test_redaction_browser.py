"""Taking a name out in a real headless Chromium: the storyteller selects it with the keyboard
in the studio, takes it out with a reason and sees it in the list; a mouse drag over a line's
words chooses them too; axe finds nothing to fix; a public visitor reads "[redacted]" and never
the name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from public import links
from stories import services
from stories.models import ConsentMethod, Redaction, Segment, StoryStatus, Transcript
from stories.transcripts import transcript_approve
from tests.public_site import timed_words as timed
from tests.storyteller_helpers import axe_violations, recording_awaiting_review
from tests.test_journey_browser import press, sign_in, wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAID = "My neighbour Bartholomew Quill drove me to the hospital."
LATER = "The nurses were kind and the tea was hot."


@pytest.fixture
def story(storyteller, tmp_path):
    story = recording_awaiting_review(storyteller, tmp_path, f"{SAID} {LATER}")
    transcript = Transcript.objects.create(story=story, duration=8.0)
    for index, (start, end, text) in enumerate([(0.0, 4.0, SAID), (4.0, 8.0, LATER)]):
        Segment.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            text=text,
            words=timed(text, start, end),
        )
    return story


def field_value(browser, name: str) -> str:
    form = browser.find_element(By.CSS_SELECTOR, "[data-redact-form]")
    return form.find_element(By.NAME, name).get_attribute("value")


def test_a_storyteller_takes_a_name_out_and_the_public_never_sees_it(browser, live_server, story):
    sign_in(browser, live_server, "stella", "pw-stella")
    browser.get(live_server.url + reverse("storyteller:review", args=[story.pk]))

    # A mouse drag over "the tea" in line 2 chooses those words.
    line2 = browser.find_element(By.CSS_SELECTOR, '[data-line="2"]')
    first = line2.find_element(By.CSS_SELECTOR, '[data-words] [data-w="6"]')
    last = line2.find_element(By.CSS_SELECTOR, '[data-words] [data-w="7"]')
    ActionChains(browser).move_to_element_with_offset(
        first, -first.size["width"] // 2 + 1, 0
    ).click_and_hold().move_to_element_with_offset(
        last, last.size["width"] // 2 - 1, 0
    ).release().perform()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "redact-chosen"), "line 2"))
    assert "“the tea”" in browser.find_element(By.ID, "redact-chosen").text
    assert [field_value(browser, n) for n in ("line", "first", "last")] == ["2", "6", "7"]

    # The keyboard: in line 1's box, Shift+arrows select "Bartholomew Quill".
    line1 = browser.find_element(By.CSS_SELECTOR, '[data-line="1"]')
    press(line1.find_element(By.TAG_NAME, "summary"))
    box = line1.find_element(By.TAG_NAME, "textarea")
    box.send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * len("My neighbour "))
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(
        *[Keys.ARROW_RIGHT] * len("Bartholomew Quill")
    ).key_up(Keys.SHIFT).perform()
    press(line1.find_element(By.CSS_SELECTOR, "[data-redact-here]"))
    assert "“Bartholomew Quill”" in browser.find_element(By.ID, "redact-chosen").text
    assert [field_value(browser, n) for n in ("line", "first", "last")] == ["1", "3", "4"]
    reason = browser.switch_to.active_element
    assert reason.get_attribute("name") == "reason"
    reason.send_keys("He did not agree to be named")
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Take these words out']"))

    wait(browser).until(ec.presence_of_element_located((By.ID, "redactions")))
    listed = browser.find_element(By.ID, "redactions").text
    assert "“Bartholomew Quill”" in listed and "Why: He did not agree to be named" in listed
    assert "Being made" in listed
    assert "Taken out 0:" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    line1 = browser.find_element(By.CSS_SELECTOR, '[data-line="1"] .segment-text')
    assert "[redacted]" in line1.text and "Bartholomew" not in line1.text
    assert Redaction.objects.get(story=story).words == "Bartholomew Quill"

    if problems := axe_violations(browser):
        pytest.fail(f"axe found: {problems}")

    # Approved and published: a visitor reads the mark, never the name, and no player plays
    # until the redacted recording is made.
    transcript_approve(story=story, actor=story.storyteller)
    services.story_transition(story=story, target=StoryStatus.PUBLISHED)
    services.consent_record(
        story=story,
        actor=story.storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        public=True,
    )
    browser.delete_all_cookies()
    browser.get(live_server.url + links.story_url(story))
    transcript = browser.find_element(By.CSS_SELECTOR, "[data-transcript]")
    assert "[redacted]" in transcript.text
    assert "Bartholomew" not in browser.page_source and "Quill" not in browser.page_source
    assert "being prepared again" in browser.find_element(By.CSS_SELECTOR, ".recording-held").text
    assert not browser.find_elements(By.CSS_SELECTOR, "audio, video")
