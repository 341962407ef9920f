"""Recording a story in the browser: a real headless Chromium whose microphone plays synthesised
speech (Chromium's fake media stream), recorded with MediaRecorder, listened back, sent through
the resumable upload, and transcribed by the real Whisper model."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from stories.models import Segment, Story, StoryStatus
from tests.browser import chromium
from tests.storyteller_helpers import axe_violations, speech_wav
from tests.test_journey_browser import press, sign_in, tick, type_into, wait
from transcribe.models import TranscriptionJob
from transcribe.services import transcription_run
from transcribe.wer import word_error_rate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.whisper,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPEECH = "We started a weekly coffee morning in the church hall, and now forty people come."


@pytest.fixture
def microphone_browser(tmp_path):
    """A Chromium whose only microphone plays a WAV file of synthesised speech, in a loop."""
    wav = speech_wav(tmp_path, SPEECH, "microphone.wav")
    driver = chromium(
        "--use-fake-ui-for-media-stream",  # say yes to the microphone prompt
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    )
    yield driver
    driver.quit()


def test_a_storyteller_records_listens_back_and_sends_it(
    microphone_browser, live_server, storyteller
):
    browser = microphone_browser
    sign_in(browser, live_server, "stella", "pw-stella")
    browser.get(live_server.url + reverse("storyteller:new"))
    type_into(browser, "id_title", "Recorded at the cafe")
    # A recording is the way of telling chosen at first.
    recorder = browser.find_element(By.CSS_SELECTOR, "[data-recorder]")
    assert recorder.is_displayed()

    press(recorder.find_element(By.CSS_SELECTOR, "[data-record-start]"))
    wait(browser).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-record-status]"), "Recording.")
    )
    # The level moves with the voice, and the time runs.
    wait(browser).until(
        lambda b: b.execute_script("return document.getElementById('record-level').value") > 0
    )
    wait(browser, 30).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "[data-record-elapsed]").text >= "0:07"
    )
    press(recorder.find_element(By.CSS_SELECTOR, "[data-record-stop]"))
    wait(browser).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-record-status]"), "Listen back")
    )
    playback = recorder.find_element(By.CSS_SELECTOR, "[data-record-playback]")
    assert playback.get_attribute("src").startswith("blob:")
    if problems := axe_violations(browser):
        pytest.fail(f"axe found: {problems}")

    press(recorder.find_element(By.CSS_SELECTOR, "[data-record-use]"))
    wait(browser, 60).until(
        ec.text_to_be_present_in_element(
            (By.ID, "upload-status"), "Your recording is uploaded and checked."
        )
    )
    tick(browser, "id_consent-archive")
    press(browser.find_element(By.ID, "submit-story"))
    wait(browser).until(ec.title_contains("Recorded at the cafe"))

    story = Story.objects.get()
    assert story.status == StoryStatus.UPLOADED and story.media.name.endswith(".webm")
    job = TranscriptionJob.objects.get(story=story)
    assert transcription_run(job_id=job.pk, worker="browser-test") == "done"
    heard = " ".join(
        Segment.objects.filter(transcript__story=story)
        .order_by("index")
        .values_list("text", flat=True)
    )
    # The microphone looped the speech for as long as it recorded: it is heard at least once.
    assert word_error_rate(SPEECH, heard[: len(SPEECH) + 20]) < 0.5, heard
    browser.get(live_server.url + reverse("storyteller:my_stories"))
    assert "Check the transcript" in browser.find_element(By.TAG_NAME, "main").text
