"""The search pages use the width of the page: facets beside the results on a wide screen and
above them on a narrow one, in a real headless Chromium, with axe-core finding nothing."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests import public_site as site
from tests.search_support import reindex
from tests.test_a11y_browser import check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def boxes(browser) -> tuple[dict, dict, dict]:
    def box(css: str) -> dict:
        return browser.find_element(By.CSS_SELECTOR, css).rect

    return box(".facets"), box(".results"), box(".search-page")


@pytest.fixture
def garden_stories(make_story):
    stories = [
        make_story(title=f"The garden group {n}", text=f"We built a garden together, year {n}.")
        for n in range(3)
    ]
    for story in stories:
        site.tag(story, theme=site.theme(), value=site.value())
    reindex(*stories)
    return stories


@pytest.fixture
def wide(browser):
    browser.set_window_size(1280, 900)
    yield browser
    browser.set_window_size(1280, 900)


def test_results_use_the_page_width_with_the_facets_beside_them(wide, live_server, garden_stories):
    wide.get(live_server.url + "/search/?q=garden")
    facets, results, page = boxes(wide)
    assert facets["x"] < results["x"], "facets sit to the left of the results"
    assert abs(facets["y"] - results["y"]) < 5, "facets and results start on one line"
    # The results take what the facets leave: more than half the page, not a narrow column.
    assert results["width"] > page["width"] * 0.6, (results, page)
    check(wide, "public search results, wide")


def test_on_a_narrow_screen_the_facets_come_first_then_the_results(
    wide, live_server, garden_stories
):
    wide.set_window_size(480, 900)
    wide.get(live_server.url + "/search/?q=garden")
    facets, results, page = boxes(wide)
    assert facets["y"] + facets["height"] <= results["y"], "facets above the results"
    assert results["width"] > page["width"] * 0.9, (results, page)
    check(wide, "public search results, narrow")


def test_the_research_page_has_the_same_layout(wide, live_server, researcher, garden_stories):
    wide.get(live_server.url + "/accounts/login/")
    wide.find_element(By.ID, "id_username").send_keys(researcher.username)
    wide.find_element(By.ID, "id_password").send_keys(f"pw-{researcher.username}", Keys.ENTER)
    WebDriverWait(wide, 10).until(lambda b: "/accounts/login/" not in b.current_url)
    wide.get(live_server.url + "/search/research/?q=garden")
    facets, results, page = boxes(wide)
    assert facets["x"] < results["x"]
    assert results["width"] > page["width"] * 0.6, (results, page)
    check(wide, "research search results, wide")


def test_a_misspelt_search_reaches_the_stories_through_did_you_mean(
    wide, live_server, garden_stories
):
    wide.get(live_server.url + "/search/")
    # Words only: by meaning, "gardn" already finds the garden stories.
    Select(wide.find_element(By.ID, "match")).select_by_value("words")
    box = wide.find_element(By.ID, "q")
    box.send_keys("gardn", Keys.ENTER)
    heading = (
        WebDriverWait(wide, 10, ignored_exceptions=[StaleElementReferenceException])
        .until(
            lambda b: b.find_element(By.ID, "results-heading").text.startswith("No stories") and b
        )
        .find_element(By.ID, "results-heading")
    )
    assert "gardn" in heading.text
    check(wide, "search with a did-you-mean")
    offer = wide.find_element(By.CSS_SELECTOR, ".did-you-mean a")
    assert offer.text == "garden"
    # By keyboard: focus the offer and follow it.
    offer.send_keys(Keys.ENTER)
    # The page is replaced while it is read: an element found on the old one goes stale.
    WebDriverWait(wide, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda b: b.find_element(By.ID, "results-heading").text == "3 stories for “garden”"
    )
    assert wide.find_element(By.ID, "q").get_attribute("value") == "garden"
