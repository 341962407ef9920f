"""A strict Content-Security-Policy on the archive's pages; no inline script in its templates."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from public import links
from search.services import outbox_drain

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# <script> types a browser does not run: data blocks.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=""", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response, where: str) -> None:
    found = policy(response)
    scripts = found.get("script-src", found.get("default-src"))
    assert scripts == ["'self'"], (where, scripts)
    assert found.get("default-src") == ["'self'"], where
    assert "'unsafe-inline'" not in found.get("style-src", []), where
    assert not any("unsafe" in v for values in found.values() for v in values), where
    assert found.get("object-src") == ["'none'"], where
    assert found.get("frame-ancestors") == ["'none'"], where


@pytest.mark.django_db
def test_public_pages_carry_a_strict_policy_without_unsafe_inline(client, make_story):
    story = make_story(title="Allotments")
    for address in ["/", links.story_url(story), reverse("search:public"), reverse("login")]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert_strict(response, address)


@pytest.mark.django_db
def test_signed_in_pages_and_the_api_docs_are_strict_too(client, storyteller, researcher):
    client.force_login(storyteller)
    for address in [reverse("storyteller:my_stories"), reverse("storyteller:new")]:
        assert_strict(client.get(address), address)
    client.force_login(researcher)
    for address in [reverse("search:research"), reverse("coding:workspace"), "/api/docs"]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert_strict(response, address)
        assert not inline_scripts(response.content.decode(), address), address


@pytest.mark.django_db
def test_the_wagtail_admin_gets_its_own_workable_policy(client, curator):
    client.force_login(curator)
    for address in ["/admin/", "/admin/login/"]:
        found = policy(client.get(address))
        assert "'unsafe-inline'" in found["script-src"], address  # Wagtail's own inline code
        assert found["default-src"] == ["'self'"], address
        assert found["object-src"] == ["'none'"], address
        assert "'unsafe-eval'" not in found["script-src"], address
        assert not any(v.startswith("http") for values in found.values() for v in values)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline: bool = False

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}= on <{tag}>")
            url = (value or "").strip().lower()
            if name in {"href", "src", "action", "formaction"} and url.startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "script":
            kind = (named.get("type") or "").strip().lower()
            self._in_inline = "src" not in named and kind not in DATA_TYPES

    def handle_data(self, data):
        if self._in_inline and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline = False


def inline_scripts(html: str, where: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    return [f"{where}: {p}" for p in parser.problems]


def test_no_archive_template_has_an_inline_script_or_handler():
    templates = [p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html")]
    assert len(templates) > 20  # the scan sees the archive's templates
    problems: list[str] = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        problems += inline_scripts(text, where)
        # Also catch handlers the HTML parser cannot see inside template tags.
        problems += [f"{where}: {m.group(0)!r}" for m in INLINE_HANDLER.finditer(text)]
    assert problems == []


def test_the_scan_finds_what_it_looks_for():
    bad = (
        '<script>alert(1)</script><select onchange="x()"></select><a href="javascript:x()">x</a>'
        '<script type="application/json">{"ok": true}</script><script src="/s.js"></script>'
    )
    found = inline_scripts(bad, "sample")
    assert len(found) == 3, found


# --- In a real browser: the pages run under their policy without a single violation ----------

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


def visit(browser, url: str) -> list[str]:
    browser.get(url)
    browser.execute_async_script(  # let deferred scripts and their requests run
        "const done = arguments[arguments.length - 1]; setTimeout(done, 300);"
    )
    return browser.execute_script("return window.__cspViolations || [];")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_run_in_chromium_without_a_policy_violation(
    browser, live_server, make_story, storyteller, curator, settings
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests import public_site as site

    settings.SEARCH_BACKEND = "database"
    pages = site.build_public_archive(make_story, storyteller)
    outbox_drain()
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    script = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS}
    )
    try:
        found = {where: visit(browser, live_server.url + url) for where, url in pages.items()}
        browser.get(live_server.url + reverse("search:public"))
        browser.find_element(By.ID, "q").send_keys("tues")
        WebDriverWait(browser, 10).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "#q-suggestions li")
        )
        found["search as you type"] = browser.execute_script("return window.__cspViolations;")

        def sign_in(username: str) -> None:
            browser.delete_all_cookies()
            browser.get(live_server.url + reverse("login"))
            browser.find_element(By.ID, "id_username").send_keys(username)
            browser.find_element(By.ID, "id_password").send_keys(f"pw-{username}")
            browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
            WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)

        sign_in("stella")
        for name in ("storyteller:my_stories", "storyteller:new"):
            found[name] = visit(browser, live_server.url + reverse(name))
        sign_in("cura")
        found["home with the userbar"] = visit(browser, live_server.url + "/")
        for address in ("/admin/", "/admin/transcriptions/"):
            found[address] = visit(browser, live_server.url + address)
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
    assert {where: v for where, v in found.items() if v} == {}
    assert len(found) > 10


@pytest.mark.django_db
def test_the_embed_page_is_strict_but_may_be_framed_anywhere(client, make_story):
    from stories.models import StoryKind
    from tests import public_site as site

    story = site.attach_recording(make_story(title="Allotments", kind=StoryKind.AUDIO, text=""))
    response = client.get(links.ArchiveLinks().story_part(story, "embed"))
    assert response.status_code == 200
    found = policy(response)
    assert found["frame-ancestors"] == ["*"]
    assert found["script-src" if "script-src" in found else "default-src"] == ["'self'"]
    assert not any("unsafe" in v for values in found.values() for v in values)
    assert not inline_scripts(response.content.decode(), "embed")
    # Every other page keeps frame-ancestors 'none' (test above): the story page itself too.
    assert_strict(client.get(links.story_url(story)), "story page")
