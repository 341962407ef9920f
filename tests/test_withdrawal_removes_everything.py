"""Withdrawal: one confirmed action, after which nothing of the story can be reached."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coding.models import Tag
from stories import services
from stories.models import (
    ProjectMembership,
    Segment,
    Story,
    StoryChange,
    StoryEvent,
    StoryPhoto,
    StoryStatus,
    Transcript,
    Value,
)
from stories.photos import photo_clean
from stories.storage import derived_prefix, story_storage
from stories.transcripts import transcript_approve
from stories.visibility import PUBLIC_AUDIENCE, audience_for
from storyteller import uploads
from tests.storyteller_helpers import jpeg_with_gps, speech_wav

pytestmark = pytest.mark.django_db

MARKER = "Quokkaville"  # a word found only in the withdrawn story


@pytest.fixture
def published(storyteller, curator, project, tmp_path):
    """A published audio story with photo, transcript, tags and a derived caption file."""
    wav = speech_wav(tmp_path)
    session = uploads.upload_session_from_file(
        owner=storyteller, uploaded=SimpleUploadedFile("speech.wav", wav.read_bytes())
    )
    story = uploads.story_submit(
        uploaded_by=storyteller,
        storyteller=storyteller,
        title=f"Mornings in {MARKER}",
        summary=f"How {MARKER} got its coffee morning.",
        kind="recording",
        project=project,
        consent={
            "archive": True,
            "researchers": True,
            "public": True,
            "quotes_allowed": True,
            "attribution": "named",
        },
        upload=session,
        photo=photo_clean(SimpleUploadedFile("p.jpg", jpeg_with_gps()), alt_text=MARKER),
    )
    services.story_transition(story=story, target=StoryStatus.AWAITING_REVIEW)
    transcript = Transcript.objects.create(story=story, engine="faster-whisper")
    Segment.objects.create(
        transcript=transcript, index=0, start=0, end=2, text=f"Welcome to {MARKER}."
    )
    transcript_approve(story=story, actor=storyteller)
    services.story_publish(story=story, actor=curator)
    Tag.objects.create(story=story, value=Value.objects.first())
    story_storage().save(
        f"{derived_prefix(story.pk)}captions/en.vtt",
        ContentFile(f"WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome to {MARKER}.\n".encode()),
    )
    story.refresh_from_db()
    return story


@pytest.fixture
def withdrawn(client, storyteller, published, django_capture_on_commit_callbacks):
    client.force_login(storyteller)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("storyteller:withdraw", args=[published.pk]), {"confirm": "on"}
        )
    assert response.status_code == 302
    client.logout()
    return Story.objects.get(pk=published.pk)


def test_withdrawal_is_one_clearly_labelled_action_with_a_confirmation(
    client, storyteller, published
):
    client.force_login(storyteller)
    detail = client.get(reverse("storyteller:detail", args=[published.pk])).content.decode()
    assert "Withdraw this story</a>" in detail
    page = client.get(reverse("storyteller:withdraw", args=[published.pk])).content.decode()
    assert "Withdrawing cannot be undone" in page
    assert '<button type="submit" class="danger">Withdraw and delete my story</button>' in page
    assert "<script" not in page.split("<footer")[0].split("<main")[1]  # no JavaScript needed
    unconfirmed = client.post(reverse("storyteller:withdraw", args=[published.pk]))
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    published.refresh_from_db()
    assert published.status == StoryStatus.PUBLISHED


def test_only_the_storyteller_can_withdraw(client, published, curator, contributor):
    for person in (curator, contributor):
        client.force_login(person)
        url = reverse("storyteller:withdraw", args=[published.pk])
        assert client.post(url, {"confirm": "on"}).status_code == 404
    published.refresh_from_db()
    assert published.status == StoryStatus.PUBLISHED


@pytest.fixture
def stored_files(published):
    """The names of every file the published story has in the story storage."""
    storage = story_storage()
    names = [published.media.name, published.photo.image.name]
    names += _files_under(storage, derived_prefix(published.pk))
    assert all(storage.exists(name) for name in names) and len(names) >= 3
    return names


def _files_under(storage, prefix: str) -> list[str]:
    if not storage.exists(prefix):
        return []
    folders, files = storage.listdir(prefix)
    found = [prefix + name for name in files]
    for folder in folders:
        found += _files_under(storage, f"{prefix}{folder}/")
    return found


def test_files_transcript_photo_and_tags_are_deleted(published, stored_files, withdrawn):
    storage = story_storage()
    assert [name for name in stored_files if storage.exists(name)] == []
    assert _files_under(storage, derived_prefix(published.pk)) == []
    assert not Transcript.objects.filter(story_id=published.pk).exists()
    assert not Segment.objects.exists()
    assert not StoryPhoto.objects.exists()
    assert not Tag.objects.filter(story_id=published.pk).exists()


def test_a_tombstone_keeps_only_the_audit_trail(withdrawn, storyteller):
    assert withdrawn.status == StoryStatus.WITHDRAWN
    assert withdrawn.title == "Withdrawn story" and not withdrawn.summary
    assert not withdrawn.media and withdrawn.media_duration is None
    assert withdrawn.consent.withdrawn and not withdrawn.consent.public
    event = StoryEvent.objects.get(story_id=withdrawn.pk, action="consent.withdrawn")
    assert event.actor == storyteller
    assert StoryChange.objects.filter(story_id=withdrawn.pk).exists()  # search drops it


def test_no_audience_sees_it_any_more(
    withdrawn, storyteller, contributor, curator, researcher, project
):
    ProjectMembership.objects.get_or_create(project=project, user=contributor)
    audiences = [PUBLIC_AUDIENCE] + [
        audience_for(p) for p in (storyteller, contributor, curator, researcher)
    ]
    for audience in audiences:
        assert not Story.objects.visible_to(audience).filter(pk=withdrawn.pk).exists()


def test_its_media_and_pages_answer_gone(client, storyteller, withdrawn):
    for part in ("media", "photo"):
        assert client.get(reverse("stories:media", args=[withdrawn.pk, part])).status_code == 410
    client.force_login(storyteller)
    for name in ("detail", "consent", "review", "withdraw"):
        response = client.get(reverse(f"storyteller:{name}", args=[withdrawn.pk]))
        assert response.status_code == 410, name
        assert MARKER not in response.content.decode()
    mine = client.get(reverse("storyteller:my_stories")).content.decode()
    assert MARKER not in mine and "A story withdrawn on" in mine
    assert str(withdrawn.pk) not in client.get(reverse("storyteller:progress")).content.decode()


def _routes(resolver=None, prefix=""):
    """Every URL pattern outside the admin, as (route, converters) pairs."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("admin/", "documents/", "^admin", "django-admin")):
            continue
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.pattern.converters


def _fill(route: str, converters: dict, story: Story, slug: str) -> str | None:
    if route.startswith("^") or "(?P" in route or "(" in route:
        return None  # Wagtail's page tree: its story pages are checked by their own tests
    values = {}
    for name, converter in converters.items():
        kind = type(converter).__name__
        if kind == "IntConverter":
            values[name] = str(story.pk)
        elif kind in ("StringConverter", "SlugConverter"):
            values[name] = slug
        else:
            return None  # uuid (upload sessions), path
    url = "/" + route
    for name, value in values.items():
        url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
    return url


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK\x03\x04"):  # zip exports (REFI-QDA): read inside
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body.decode("utf-8", "replace")


def _sweep(client, story, people) -> tuple[list[str], int]:
    """GET every URL (story id and slug filled in, with search and export queries) as each
    person; returns where MARKER showed and how many responses were read."""
    slug = "mornings-in-quokkaville"
    urls = set()
    for route, converters in _routes():
        url = _fill(route, converters, story, slug)
        if url:
            urls.add(url)
    # Searched in lower case: pages echo the query, but a hit would show the title's capital.
    queries = ["", f"?q={MARKER.lower()}", "?format=csv", "?format=json", "?format=qdpx"]
    seen, checked = [], 0
    for person in people:
        client.logout()
        if person is not None:
            client.force_login(person)
        for url in sorted(urls):
            for query in queries:
                response = client.get(url + query)
                assert response.status_code < 500, f"{url + query} failed for {person}"
                if MARKER in _text(response):
                    seen.append(f"{url + query} ({person or 'public'})")
                checked += 1
    return seen, checked


def test_the_sweep_finds_the_story_while_it_is_published(client, published, storyteller, curator):
    seen, _ = _sweep(client, published, [None, storyteller, curator])
    assert seen  # so the sweep below would notice a leak


def test_no_url_search_feed_or_export_shows_anything_of_it(
    client, withdrawn, storyteller, contributor, curator, researcher, project
):
    ProjectMembership.objects.get_or_create(project=project, user=contributor)
    people = [None, storyteller, contributor, curator, researcher]
    seen, checked = _sweep(client, withdrawn, people)
    assert seen == []
    assert checked > 100


def test_its_public_page_answers_gone(
    client, published, storyteller, django_capture_on_commit_callbacks
):
    from public.links import ArchiveLinks

    url = ArchiveLinks().story(published)
    assert MARKER in client.get(url).content.decode()  # published: the page shows it
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(story=published, actor=storyteller)
    for person in (None, storyteller):
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code == 410
        assert MARKER not in response.content.decode()
