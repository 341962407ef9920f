"""The transcript studio in a real headless Chromium: a storyteller corrects, joins, splits and
undoes lines while the recording plays, without the page reloading or the audio starting over;
names the voices and finds the names in the public captions; axe finds nothing to fix."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from stories import services
from stories.models import ConsentMethod, Segment, Speaker, StoryStatus, Transcript
from stories.transcripts import transcript_approve
from tests.storyteller_helpers import axe_violations, recording_awaiting_review
from tests.test_journey_browser import press, sign_in, wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPEECH = (
    "When the library closed, older people lost a place to meet. "
    "We started a weekly coffee morning in the church hall. "
    "Now forty people come every Tuesday."
)
LINES = [
    (0.0, 3.5, "When the library closed, older people lost a place to meet.", "S1"),
    (3.5, 7.0, "We started a weekly coffee morning", "S1"),
    (7.0, 9.0, "in the church hall.", "S1"),
    (9.0, 11.0, "Now forty people come every Tuesday.", "S2"),
]


@pytest.fixture
def story(storyteller, tmp_path):
    story = recording_awaiting_review(storyteller, tmp_path, SPEECH)
    transcript = Transcript.objects.create(story=story, duration=11.0)
    voices = {
        label: Speaker.objects.create(transcript=transcript, label=label) for label in ("S1", "S2")
    }
    for index, (start, end, text, voice) in enumerate(LINES):
        Segment.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            text=text,
            speaker=voices[voice],
        )
    return story


def lines(story) -> list[str]:
    return list(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("text", flat=True)
    )


def status_says(browser, text: str) -> None:
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "studio-status"), text))


def open_line(browser, number: int):
    line = browser.find_element(By.CSS_SELECTOR, f'[data-line="{number}"]')
    press(line.find_element(By.TAG_NAME, "summary"))
    return line


def test_a_storyteller_edits_in_place_while_the_recording_plays(browser, live_server, story):
    sign_in(browser, live_server, "stella", "pw-stella")
    browser.get(live_server.url + reverse("storyteller:review", args=[story.pk]))
    browser.execute_script("window.notReloaded = true")
    player = browser.find_element(By.ID, "player")
    browser.execute_script("arguments[0].currentTime = 4; arguments[0].play()", player)
    wait(browser).until(lambda b: b.execute_script("return arguments[0].currentTime", player) > 4)

    def still_playing_where_it_was() -> None:
        assert browser.execute_script("return window.notReloaded") is True
        assert browser.execute_script("return arguments[0].currentTime", player) > 4

    # Correct line 1 and save with Ctrl+Enter.
    line = open_line(browser, 1)
    field = line.find_element(By.TAG_NAME, "textarea")
    field.send_keys(Keys.END, " Really.")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(
        Keys.CONTROL
    ).perform()
    status_says(browser, "Line 1 saved.")
    still_playing_where_it_was()
    assert lines(story)[0].endswith("to meet. Really.")
    assert "Saved" in browser.find_element(By.CSS_SELECTOR, '[data-line="1"]').text

    # Join lines 2 and 3, which the engine cut in the middle of a sentence.
    line = open_line(browser, 2)
    press(line.find_element(By.XPATH, ".//button[normalize-space()='Join with line 3']"))
    status_says(browser, "Lines 2 and 3 joined.")
    still_playing_where_it_was()
    assert lines(story)[1] == "We started a weekly coffee morning in the church hall."

    # Split line 2 again at the cursor, before "in".
    line = open_line(browser, 2)
    field = line.find_element(By.TAG_NAME, "textarea")
    cut = field.get_attribute("value").index("in the church")
    browser.execute_script(
        "arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[1])",
        field,
        cut,
    )
    press(line.find_element(By.CSS_SELECTOR, "[data-split-here]"))
    status_says(browser, "split in two")
    still_playing_where_it_was()
    assert lines(story)[1:3] == ["We started a weekly coffee morning", "in the church hall."]
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-line]")) == 4

    # Undo the split: back to one line.
    press(browser.find_element(By.CSS_SELECTOR, "#studio-tools button"))
    status_says(browser, "Undone: splitting line 2")
    still_playing_where_it_was()
    assert lines(story)[1] == "We started a weekly coffee morning in the church hall."
    # The player follows the redrawn lines: the line being played is marked again.
    wait(browser).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, '[data-transcript] [aria-current="true"]')
    )
    # Alt+Shift+B goes back five seconds.
    before = browser.execute_script("return arguments[0].currentTime", player)
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("b").key_up(
        Keys.SHIFT
    ).key_up(Keys.ALT).perform()
    assert browser.execute_script("return arguments[0].currentTime", player) < before - 3
    browser.execute_script("arguments[0].pause()", player)

    # Name the voices: the first is the storyteller, the second asked the questions.
    s1, s2 = Speaker.objects.filter(transcript__story=story).order_by("label")
    browser.find_element(By.ID, f"id_sp{s2.pk}-name").send_keys("Interviewer")
    press(browser.find_element(By.ID, f"id_sp{s1.pk}-me"), Keys.SPACE)
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Save speakers']"))
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "lines"), "Interviewer:"))
    assert "You:" in browser.find_element(By.ID, "lines").text

    if problems := axe_violations(browser):
        pytest.fail(f"axe found: {problems}")

    # Published and public: the captions name the voices as the consent allows.
    transcript_approve(story=story, actor=story.storyteller)
    services.story_transition(story=story, target=StoryStatus.PUBLISHED)
    services.consent_record(
        story=story,
        actor=story.storyteller,
        method=ConsentMethod.WRITTEN,
        archive=True,
        public=True,
        attribution="anonymous",
    )
    vtt = Client().get(reverse("transcribe:download", args=[story.pk, "vtt"])).content.decode()
    assert "<v Interviewer>Now forty people come every Tuesday.</v>" in vtt
    assert "<v Anonymous storyteller>When the library closed" in vtt
    assert "Stella" not in vtt
