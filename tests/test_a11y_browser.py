"""axe-core, in a real headless Chromium, finds no accessibility violation on any page type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests import public_site as site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG 2.x A and AA rule, plus axe's best practices (landmarks, heading order...).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(
            "axe-core is not installed: run `npm ci` in the project folder (make test does this)."
        )
    return AXE.read_text(encoding="utf-8")


def violations(browser) -> list[dict]:
    browser.execute_script(axe_source())
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0])"
        "  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "     nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        "  .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        AXE_OPTIONS,
    )


def check(browser, where: str) -> None:
    found = violations(browser)
    assert not found, f"{where}: " + json.dumps(found, indent=2)


@pytest.fixture
def browser(browser):
    """The shared browser without the pages it cached (public pages may be kept a minute)."""
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    return browser


@pytest.fixture
def archive_pages(make_story, storyteller):
    return site.build_public_archive(make_story, storyteller)


def test_every_page_type_has_no_axe_violations(browser, live_server, archive_pages):
    browser.set_script_timeout(30)
    for name, address in archive_pages.items():
        browser.get(live_server.url + address)
        assert browser.find_element(By.TAG_NAME, "h1").text, name
        check(browser, name)


def test_player_and_transcript_have_no_axe_violations_while_playing(
    browser, live_server, archive_pages
):
    browser.set_script_timeout(30)
    for name in ("audio story", "video story"):
        browser.get(live_server.url + archive_pages[name])
        cues = browser.find_elements(By.CSS_SELECTOR, "a.cue")
        cues[1].click()
        WebDriverWait(browser, 10).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "a.cue[aria-current='true']")
        )
        check(browser, f"{name}, playing")


def test_text_colours_meet_aa_contrast_on_every_page_type(browser, live_server, archive_pages):
    """The colour-contrast rule alone, so that a failure names only contrast."""
    browser.set_script_timeout(30)
    for name, address in archive_pages.items():
        browser.get(live_server.url + address)
        browser.execute_script(axe_source())
        found = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: ['color-contrast']})"
            "  .then(r => done(r.violations.map(v => v.nodes.map(n => n.target.join(' ')))));"
        )
        assert not found, f"{name}: {found}"
