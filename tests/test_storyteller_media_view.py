"""Story media is streamed only through the visibility rule, with byte ranges for seeking."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories import services
from stories.models import StoryStatus
from stories.transcripts import transcript_approve
from storyteller import uploads
from tests.storyteller_helpers import jpeg_with_gps, speech_wav

pytestmark = pytest.mark.django_db

ALL_USES = {
    "archive": True,
    "researchers": True,
    "public": True,
    "quotes_allowed": True,
    "attribution": "named",
}


@pytest.fixture
def recorded(storyteller, tmp_path):
    """An audio story of real speech, with a photo, stored through the upload service."""
    from stories.photos import photo_clean

    wav = speech_wav(tmp_path)
    session = uploads.upload_session_from_file(
        owner=storyteller, uploaded=SimpleUploadedFile("speech.wav", wav.read_bytes())
    )
    photo = photo_clean(SimpleUploadedFile("p.jpg", jpeg_with_gps()), alt_text="A garden")
    return uploads.story_submit(
        uploaded_by=storyteller,
        storyteller=storyteller,
        title="Coffee mornings",
        kind="recording",
        consent=ALL_USES,
        upload=session,
        photo=photo,
    )


def media_url(story, part="media"):
    return reverse("stories:media", args=[story.pk, part])


def test_the_storyteller_streams_their_recording(client, storyteller, recorded):
    client.force_login(storyteller)
    response = client.get(media_url(recorded))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body == recorded.media.open("rb").read()
    assert int(response["Content-Length"]) == len(body)


def test_byte_ranges_let_players_seek(client, storyteller, recorded):
    client.force_login(storyteller)
    whole = recorded.media.open("rb").read()
    size = len(whole)
    part = client.get(media_url(recorded), HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{size}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == whole[100:200]
    tail = client.get(media_url(recorded), HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == whole[-10:]
    rest = client.get(media_url(recorded), HTTP_RANGE=f"bytes={size - 5}-")
    assert b"".join(rest.streaming_content) == whole[-5:]
    beyond = client.get(media_url(recorded), HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"


def test_nobody_without_consent_gets_the_file(client, recorded, stranger, researcher):
    assert client.get(media_url(recorded)).status_code == 404  # the public: not published
    for person in (stranger, researcher):  # researcher: not approved yet
        client.force_login(person)
        assert client.get(media_url(recorded)).status_code == 404
        assert client.get(media_url(recorded, "photo")).status_code == 404


def test_a_published_storys_media_is_public(client, storyteller, curator, recorded):
    services.story_transition(story=recorded, target=StoryStatus.AWAITING_REVIEW)
    recorded.text_body = ""
    from stories.models import Segment, Transcript

    transcript = Transcript.objects.create(story=recorded)
    Segment.objects.create(transcript=transcript, index=0, start=0, end=1, text="Hello")
    transcript_approve(story=recorded, actor=storyteller)
    services.story_publish(story=recorded, actor=curator)
    assert client.get(media_url(recorded)).status_code == 200
    photo = client.get(media_url(recorded, "photo"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_an_unknown_part_or_story_is_404(client, storyteller, recorded):
    client.force_login(storyteller)
    assert client.get(media_url(recorded, "original")).status_code == 404
    assert client.get(reverse("stories:media", args=[999999, "media"])).status_code == 404


def test_story_files_live_outside_media_root_and_have_no_public_url(recorded, settings):
    assert not recorded.media.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public URL"):
        recorded.media.url  # noqa: B018
    assert recorded.photo.image.path.startswith(str(settings.ARCHIVE_PRIVATE_MEDIA_ROOT))


def test_the_static_media_route_cannot_serve_story_files(client, recorded, settings):
    # Even with the development media route on, story files are not under MEDIA_ROOT.
    from django.conf.urls.static import static
    from django.test import override_settings
    from django.urls import clear_url_caches

    import archive.urls

    patterns = list(archive.urls.urlpatterns)
    with override_settings(DEBUG=True):
        dev = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
        assert dev
        archive.urls.urlpatterns[:0] = dev
        clear_url_caches()
        try:
            for name in (recorded.media.name, recorded.photo.image.name):
                assert client.get(settings.MEDIA_URL + name).status_code == 404
        finally:
            archive.urls.urlpatterns[:] = patterns
            clear_url_caches()
