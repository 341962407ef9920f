"""The research charts in a real headless Chromium: Vega draws them under the archive's
Content-Security-Policy, axe-core finds nothing to fix, and a heatmap cell opened from the
keyboard lands on the excerpts behind it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.charts_helpers import coded_archive
from tests.storyteller_helpers import axe_violations
from tests.test_coding_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHARTS = ("values", "themes", "values-together", "themes-and-values", "over-time")


def drawn(browser) -> bool:
    ready = browser.find_elements(By.CSS_SELECTOR, ".chart[data-ready] svg")
    failed = browser.find_elements(By.CSS_SELECTOR, ".chart[data-error]")
    assert not failed, failed[0].get_attribute("data-error")
    return len(ready) == len(CHARTS)


def test_a_heatmap_cell_opens_its_excerpts_from_the_keyboard(
    browser, live_server, make_story, contributor, researcher
):
    coded = coded_archive(make_story, contributor)
    sign_in(browser, live_server, "rhea", "pw-rhea")
    browser.get(live_server.url + reverse("charts:index"))
    WebDriverWait(browser, 30).until(drawn)

    violations = axe_violations(browser)
    assert violations == [], violations

    # From the control just before the heatmap, one Tab reaches its first cell.
    browser.execute_script("document.querySelector('#themes details.chart-data summary').focus()")
    browser.switch_to.active_element.send_keys(Keys.TAB)
    cell = browser.switch_to.active_element
    assert cell.get_attribute("role") == "link"
    assert cell.find_element(By.XPATH, "ancestor::section").get_attribute("id") == (
        "values-together"
    )
    assert f"{coded.v1.name} with {coded.v2.name}" in (cell.get_attribute("aria-label") or "")
    cell.send_keys(Keys.ENTER)

    WebDriverWait(browser, 20).until(lambda b: "/research/charts/excerpts/" in b.current_url)
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert coded.v1.name in heading and coded.v2.name in heading
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Open story" in page and "Unquoted story" in page and "Closed story" not in page
    assert axe_violations(browser) == []


def test_one_storys_coders_side_by_side(browser, live_server, make_story, contributor, researcher):
    coded = coded_archive(make_story, contributor)
    sign_in(browser, live_server, "rhea", "pw-rhea")
    browser.get(live_server.url + reverse("charts:coders", args=[coded.open.pk]))
    WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".chart[data-ready] svg")
    )
    assert browser.find_elements(By.CSS_SELECTOR, ".chart-downloads button")
    assert axe_violations(browser) == []
