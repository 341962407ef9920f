"""Through the real server: gunicorn's workers share the page cache, and a withdrawal made by
another process (here the test's own) leaves no cached page that shows the story."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from public import links
from stories import services
from tests import public_site as site

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Marigolds on the allotment"
SLUG = "marigolds-on-the-allotment"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,  # the server reads the test database from another process
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def get(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read().decode()
        return response.status, response.getheader("X-Archive-Cache") or "", body
    finally:
        conn.close()


@pytest.fixture
def server(settings, tmp_path):
    cache = str(tmp_path / "pages")
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": cache,
        },
    }
    db = connection.settings_dict
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "archive.settings.base",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "SEARCH_BACKEND": "database",
        "ARCHIVE_PAGE_CACHE_SECONDS": "600",
        "ARCHIVE_PAGE_CACHE_LOCATION": cache,
        "ARCHIVE_PRIVATE_MEDIA_ROOT": str(settings.ARCHIVE_PRIVATE_MEDIA_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_ACCESS_LOG": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "archive.wsgi"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(300):
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer /healthz within a minute")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_withdrawal_reaches_every_worker_at_once(server, make_story, storyteller):
    story = make_story(title=TITLE)
    site.tag(story, value=site.value(), theme=site.theme())
    page = site.collection([story])
    addresses = [
        "/",
        site.archive_index().url,
        page.url,
        links.story_url(story),
        links.theme_url(site.theme()),
        "/feeds/stories.rss",
        "/sitemap-stories.xml",
    ]
    for _ in range(3):  # more requests than workers: each worker answers from the cache
        for address in addresses:
            status, _, body = get(server, address)
            assert status == 200, address
            assert TITLE in body or SLUG in body, address
    assert {get(server, address)[1] for address in addresses} == {"hit"}

    services.consent_withdraw(story=story, actor=storyteller)

    for _ in range(2):
        for address in addresses:
            body = get(server, address)[2]
            assert TITLE not in body and SLUG not in body, address
    assert get(server, links.story_url(story))[0] == 410
