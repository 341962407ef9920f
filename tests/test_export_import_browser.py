"""A result set exported and imported again, in a real headless Chromium: a curator searches the
excerpts, downloads the found set as a REFI-QDA project from the link on the page, and imports
that file through the import form; its codings come back as proposals on the same stories."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from coding.models import Tag, TagStatus
from tests.charts_helpers import coded_archive
from tests.storyteller_helpers import axe_violations
from tests.test_coding_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FETCH = """
const [href, done] = arguments;
fetch(href, {credentials: 'same-origin'})
  .then(r => r.arrayBuffer())
  .then(buffer => {
    let s = '';
    new Uint8Array(buffer).forEach(b => { s += String.fromCharCode(b); });
    done(btoa(s));
  })
  .catch(e => done('error: ' + e));
"""


def test_a_found_set_exported_as_qdpx_comes_back_through_the_import_form(
    browser, live_server, make_story, contributor, curator, project, tmp_path
):
    coded = coded_archive(make_story, contributor)
    # Coded as the coding screen stores them: on segment boundaries.
    Tag.objects.filter(theme=coded.theme).update(start_seconds=4.0, end_seconds=9.5)
    Tag.objects.filter(value=coded.v3).update(start_seconds=21.0, end_seconds=26.0)
    sign_in(browser, live_server, "cura", "pw-cura")
    browser.get(live_server.url + reverse("search:excerpts") + "?q=Shielding")
    heading = browser.find_element(By.ID, "excerpts-title").text
    # The theme on 3 stories, and v3 where "shielding" is said on the 2 stories that may be quoted.
    assert heading.startswith("5 excerpts")
    assert axe_violations(browser) == []

    link = browser.find_element(By.LINK_TEXT, "REFI-QDA project (.qdpx)")
    browser.set_script_timeout(30)
    body = browser.execute_async_script(FETCH, link.get_attribute("href"))
    assert not body.startswith("error"), body
    exported = tmp_path / "found.qdpx"
    exported.write_bytes(base64.b64decode(body))

    themed = Tag.objects.filter(theme=coded.theme)
    before = sorted(themed.values_list("story_id", "start_seconds", "end_seconds"))
    themed.delete()

    browser.get(live_server.url + reverse("coding:import"))
    assert axe_violations(browser) == []
    Select(browser.find_element(By.ID, "id_project")).select_by_visible_text(project.name)
    browser.find_element(By.ID, "id_file").send_keys(str(exported))
    browser.find_element(By.CSS_SELECTOR, "#import-form button[type=submit]").click()
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: "found.qdpx" in b.find_element(By.TAG_NAME, "h1").text
    )

    page = browser.find_element(By.TAG_NAME, "main").text
    assert "3 codings proposed as tags" in page
    assert "2 codings: already coded so in the archive" in page  # the v3 excerpts still stand
    assert "Proposed new themes" not in page  # the codebook's groups hold no codings
    assert axe_violations(browser) == []
    proposed = Tag.objects.filter(status=TagStatus.PROPOSED, theme=coded.theme)
    assert sorted(proposed.values_list("story_id", "start_seconds", "end_seconds")) == before
