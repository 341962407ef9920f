"""One setting, ARCHIVE_BASE_URL, gives the address in emails, feeds, sitemaps and the Site."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from lxml import etree
from wagtail.models import Site

from archive.settings.env import env_base_url
from public import links
from stories.notifications import notify_transcript_ready

pytestmark = pytest.mark.django_db

HOME = "https://stories.example.org"


@override_settings(ARCHIVE_BASE_URL=HOME)
def test_an_email_links_to_the_configured_address(storyteller, make_story):
    storyteller.email = "stella@example.org"
    storyteller.save()
    story = make_story(status="awaiting_review")
    assert notify_transcript_ready(story)
    expected = HOME + reverse("storyteller:review", args=[story.pk])
    assert expected in mail.outbox[-1].body


@override_settings(ARCHIVE_BASE_URL=HOME)
def test_an_invitation_links_to_the_configured_address_whatever_the_host_header(
    client, contributor
):
    client.force_login(contributor)
    client.post(reverse("storyteller:invite"), {"email": "new@example.org"}, HTTP_HOST="localhost")
    link = re.search(r"https?://\S+/accounts/join/\S+/", mail.outbox[-1].body).group(0)
    assert link.startswith(HOME + "/accounts/join/")


@override_settings(ARCHIVE_BASE_URL=HOME)
def test_feed_guids_and_links_use_the_configured_address(client, make_story):
    story = make_story(title="Out in the world")
    rss = etree.fromstring(client.get("/feeds/stories.rss", HTTP_HOST="127.0.0.1").content)
    (item,) = rss.findall("channel/item")
    path = links.story_url(story)
    assert item.findtext("guid") == HOME + path
    assert item.findtext("link") == HOME + path
    assert rss.findtext("channel/link").startswith(HOME + "/")
    atom = etree.fromstring(client.get("/feeds/stories.atom", HTTP_HOST="127.0.0.1").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:entry/a:id", namespaces=ns) == HOME + path


@override_settings(ARCHIVE_BASE_URL=HOME)
def test_sitemaps_and_the_wagtail_site_use_the_configured_address(client, make_story):
    story = make_story(title="Mapped")
    call_command("site_address", stdout=None)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("stories.example.org", 443, HOME)
    xml = client.get("/sitemap-stories.xml", HTTP_HOST="127.0.0.1").content.decode()
    assert f"<loc>{HOME}{links.story_url(story)}</loc>" in xml
    pages = client.get("/sitemap-pages.xml", HTTP_HOST="127.0.0.1").content.decode()
    assert f"<loc>{HOME}/</loc>" in pages
    index = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").content.decode()
    assert f"<loc>{HOME}/sitemap-stories.xml</loc>" in index
    assert "127.0.0.1" not in index
    call_command("site_address", stdout=None)  # in step already: nothing changes
    assert Site.objects.get(pk=site.pk).root_url == HOME


def test_the_admin_address_defaults_to_the_site_address(settings):
    assert settings.WAGTAILADMIN_BASE_URL == settings.ARCHIVE_BASE_URL


@pytest.mark.parametrize(
    "raw", ["archive.example.org", "ftp://x.example.org", "https://x.org/?a=1"]
)
def test_a_bad_address_is_refused_at_start(monkeypatch, raw):
    monkeypatch.setenv("ARCHIVE_BASE_URL", raw)
    with pytest.raises(ImproperlyConfigured):
        env_base_url("ARCHIVE_BASE_URL", "http://localhost:8000")


def test_the_address_loses_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("ARCHIVE_BASE_URL", "https://stories.example.org/")
    assert env_base_url("ARCHIVE_BASE_URL", "http://localhost:8000") == HOME
