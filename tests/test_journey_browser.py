"""The storyteller's whole journey in a real headless Chromium, driven by the keyboard.

A contributor invites a storyteller (the link arrives by email), the storyteller joins, uploads
real espeak-ng speech in resumable chunks, the real tiny.en model transcribes it in-process,
the page follows the progress by itself, the storyteller plays a line, corrects a word,
approves, and finally withdraws the story; a file that is not a recording is refused with its
message.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from stories.models import Segment, SegmentRevision, Story, StoryStatus, UploadSession
from tests.storyteller_helpers import speech_wav
from transcribe.models import TranscriptionJob
from transcribe.services import transcription_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.whisper,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPEECH = (
    "When the library closed, older people lost a place to meet. "
    "We started a weekly coffee morning in the church hall. "
    "Now forty people come every Tuesday."
)


def wait(browser, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(browser, seconds)


def press(element, key=Keys.ENTER) -> None:
    """Operate a control from the keyboard: focus it, then press a key."""
    element.parent.execute_script("arguments[0].focus()", element)
    element.send_keys(key)


def type_into(browser, element_id: str, text: str) -> None:
    field = browser.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def tick(browser, element_id: str) -> None:
    box = browser.find_element(By.ID, element_id)
    if not box.is_selected():
        press(box, Keys.SPACE)


def sign_in(browser, live_server, username: str, password: str) -> None:
    browser.get(live_server.url + reverse("login"))
    type_into(browser, "id_username", username)
    type_into(browser, "id_password", password)
    press(browser.find_element(By.ID, "id_password"))
    wait(browser).until(lambda b: "/accounts/login/" not in b.current_url)


@pytest.fixture
def speech_file(tmp_path):
    return speech_wav(tmp_path, SPEECH)


@pytest.fixture
def small_chunks(settings):
    # A few dozen chunks, so that the resumable path really runs chunk after chunk.
    settings.ARCHIVE_UPLOAD_CHUNK_BYTES = 64 * 1024


def test_a_storyteller_walks_the_whole_journey(
    browser, live_server, contributor, speech_file, small_chunks, tmp_path, settings
):
    browser.set_page_load_timeout(60)
    settings.ARCHIVE_BASE_URL = live_server.url  # emails link to the site's own address

    # 1. A contributor invites a storyteller; the link comes by email.
    sign_in(browser, live_server, "connor", "pw-connor")
    browser.get(live_server.url + reverse("storyteller:invite"))
    type_into(browser, "id_email", "dee@example.org")
    press(browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
    wait(browser).until(ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "Invitation sent"))
    link = re.search(r"https?://\S+/accounts/join/\S+/", mail.outbox[-1].body).group(0)
    assert link.startswith(live_server.url)
    browser.delete_all_cookies()

    # 2. The storyteller joins with a pseudonym and is signed in.
    browser.get(link)
    type_into(browser, "id_display_name", "Dee")
    type_into(browser, "id_username", "dee")
    type_into(browser, "id_password", "a long walk home")
    type_into(browser, "id_password_again", "a long walk home")
    press(browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
    wait(browser).until(ec.title_contains("My stories"))
    assert "Welcome, Dee." in browser.page_source

    # 3. A file that is not a recording is refused, with why and what to do.
    browser.get(live_server.url + reverse("storyteller:new"))
    fake = tmp_path / "my interview.mp3"
    fake.write_text("This is a shopping list, not a recording.\n" * 200)
    browser.find_element(By.ID, "id_media").send_keys(str(fake))
    summary = wait(browser).until(ec.visibility_of_element_located((By.ID, "upload-error-summary")))
    assert "my interview.mp3 is not an audio or video file we can read" in summary.text
    assert "Upload a recording saved as MP3" in summary.text
    assert browser.switch_to.active_element == summary  # focus moves to the problem
    assert browser.find_element(By.ID, "id_media").get_attribute("aria-invalid") == "true"
    assert not Story.objects.exists()

    # 4. Real speech goes up in chunks, with a progress bar, then the form is sent.
    browser.get(live_server.url + reverse("storyteller:new"))
    type_into(browser, "id_title", "The coffee morning")
    browser.find_element(By.ID, "id_media").send_keys(str(speech_file))
    status = browser.find_element(By.ID, "upload-status")
    assert status.get_attribute("role") == "status"
    wait(browser, 60).until(
        ec.text_to_be_present_in_element((By.ID, "upload-status"), "uploaded and checked")
    )
    assert browser.find_element(By.ID, "upload-progress").get_attribute("value") == "100"
    assert speech_file.stat().st_size > 4 * 64 * 1024  # it really went in several chunks
    tick(browser, "id_consent-archive")
    tick(browser, "id_consent-public")
    tick(browser, "id_consent-quotes_allowed")
    press(browser.find_element(By.ID, "submit-story"))
    wait(browser).until(ec.title_contains("The coffee morning"))
    story = Story.objects.get()
    assert story.status == StoryStatus.UPLOADED and story.storyteller.username == "dee"
    assert UploadSession.objects.get(status="used").expected_size == speech_file.stat().st_size

    # 5. The real model transcribes it; the page follows along without a reload.
    browser.get(live_server.url + reverse("storyteller:my_stories"))
    assert browser.find_element(By.ID, "progress-announce").get_attribute("aria-live") == "polite"
    job = TranscriptionJob.objects.get(story=story)
    assert transcription_run(job_id=job.pk, worker="browser-test") == "done"
    ready = [m for m in mail.outbox if m.subject == "Your transcript is ready to check"]
    assert [m.to for m in ready] == [["dee@example.org"]]
    wait(browser, 30).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-story]"), "Awaiting review")
    )
    review_link = wait(browser).until(
        ec.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "Check the transcript"))
    )
    press(review_link)

    # 6. Review: play from a line (keyboard), the line playing is marked, a word corrected.
    wait(browser).until(ec.title_contains("Check the transcript"))
    first = Segment.objects.filter(transcript__story=story).order_by("index").first()
    assert "library" in first.text.lower()
    play = browser.find_element(By.CSS_SELECTOR, f"#segment-{first.pk} [data-seek]")
    assert play.tag_name == "button"
    press(play)
    try:
        wait(browser, 15).until(
            lambda b: (
                b.find_element(By.ID, f"segment-{first.pk}").get_attribute("aria-current") == "true"
            )
        )
    finally:
        browser.execute_script("document.getElementById('player').pause()")
    press(browser.find_element(By.CSS_SELECTOR, f"#segment-{first.pk} summary"))
    corrected = re.sub(r"(?i)library", "public library", first.text, count=1)
    type_into(browser, f"id_s{first.pk}-text", corrected)
    press(browser.find_element(By.CSS_SELECTOR, f"#segment-{first.pk} form button"))
    wait(browser).until(ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "saved"))
    first.refresh_from_db()
    assert "public library" in first.text
    revision = SegmentRevision.objects.get(segment=first)
    assert revision.edited_by.username == "dee"

    # 7. Approve.
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Approve this transcript']"))
    wait(browser).until(ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "you approved"))
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED
    # The story's path says whose turn it is now, and that it is not the storyteller's.
    now = browser.find_element(By.CSS_SELECTOR, '[data-journey] [aria-current="step"]')
    assert "A curator publishes it" in now.text and "nothing for you to do" in now.text

    # 8. Withdraw: one labelled action, confirmed on its own page.
    media_url = live_server.url + reverse("stories:media", args=[story.pk, "media"])
    press(browser.find_element(By.LINK_TEXT, "Withdraw this story"))
    wait(browser).until(ec.title_contains("Withdraw"))
    tick(browser, "id_confirm")
    press(
        browser.find_element(By.XPATH, "//button[normalize-space()='Withdraw and delete my story']")
    )
    wait(browser).until(ec.title_contains("My stories"))
    assert "is withdrawn" in browser.page_source
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN and not story.media
    browser.get(media_url)
    assert "withdrawn" in browser.page_source.lower()


def test_every_journey_page_shows_where_keyboard_focus_is(browser, live_server, storyteller):
    sign_in(browser, live_server, "stella", "pw-stella")
    browser.get(live_server.url + reverse("storyteller:new"))
    title = browser.find_element(By.ID, "id_title")
    press(title, Keys.TAB)
    active = browser.switch_to.active_element
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + s.outlineWidth;",
        active,
    )
    assert "none" not in style, style


def test_every_journey_page_passes_axe(
    browser, live_server, storyteller, contributor, make_story, tmp_path
):
    from stories.models import Transcript
    from tests.storyteller_helpers import axe_violations, recording_awaiting_review

    story = recording_awaiting_review(storyteller, tmp_path)
    transcript = Transcript.objects.create(story=story)
    for index, text in enumerate(["When the library closed.", "We started a coffee morning."]):
        Segment.objects.create(
            transcript=transcript, index=index, start=index * 2.0, end=index * 2.0 + 2, text=text
        )
    browser.set_script_timeout(30)
    found = {}

    def check(path: str) -> None:
        browser.get(live_server.url + path)
        if problems := axe_violations(browser):
            found[path] = problems

    sign_in(browser, live_server, "connor", "pw-connor")
    check(reverse("storyteller:invite"))
    browser.delete_all_cookies()
    sign_in(browser, live_server, "stella", "pw-stella")
    for name, args in [
        ("storyteller:my_stories", []),
        ("storyteller:new", []),
        ("storyteller:detail", [story.pk]),
        ("storyteller:consent", [story.pk]),
        ("storyteller:review", [story.pk]),
        ("storyteller:withdraw", [story.pk]),
    ]:
        check(reverse(name, args=args))
    # A form with errors: the summary, the invalid fields and their messages.
    browser.get(live_server.url + reverse("storyteller:new"))
    press(browser.find_element(By.ID, "submit-story"))
    wait(browser).until(ec.presence_of_element_located((By.ID, "error-summary")))
    assert browser.switch_to.active_element.get_attribute("id") == "error-summary"
    if problems := axe_violations(browser):
        found["story form with errors"] = problems
    assert not found, found
    # And axe does notice a problem when there is one.
    browser.execute_script("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in axe_violations(browser)}
