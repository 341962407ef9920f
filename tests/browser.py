"""A real headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.

Use it with pytest-django's `live_server`: `def test_x(browser, live_server): ...`.
"""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_CANDIDATES = ("chromedriver", "chromium-driver")


def _which(candidates: tuple[str, ...]) -> str:
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        f"None of {', '.join(candidates)} is installed. Run scripts/system-deps.sh "
        "(or `apt-get install chromium chromium-driver`) and try again."
    )


HEADLESS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--window-size=1280,900",
    "--autoplay-policy=no-user-gesture-required",
)


def chromium(*extra: str) -> webdriver.Chrome:
    """A new headless Chromium, with `extra` command-line switches."""
    options = webdriver.ChromeOptions()
    options.binary_location = _which(CHROMIUM_CANDIDATES)
    for arg in (*HEADLESS, *extra):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(_which(DRIVER_CANDIDATES)))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="session")
def browser_session():
    driver = chromium("--mute-audio")
    yield driver
    driver.quit()


@pytest.fixture
def browser(browser_session):
    """The shared browser, with cookies cleared between tests."""
    browser_session.delete_all_cookies()
    yield browser_session
    browser_session.delete_all_cookies()
