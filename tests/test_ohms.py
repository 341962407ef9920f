"""OHMS XML: a story's transcript and index exported in OHMS's format, and an OHMS record
imported onto a story from the curator's admin (transcript and chapters, one transaction)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from curation.ohms import ohms_import
from public import links
from public.ohms import OhmsRefused, ohms_parse
from stories.models import Chapter, Segment, StoryChange, StoryEvent, StoryKind, Transcript
from tests import public_site as site
from tests.conftest import make_user
from transcribe.services import JobRefused

pytestmark = pytest.mark.django_db

SYNCED = (Path(__file__).resolve().parent / "ohms" / "synced_interview.xml").read_bytes()
MARKED = b"""<?xml version="1.0"?>
<ROOT><record><title>Marked</title><duration>00:00:30</duration>
<transcript>[00:00:00] We met on Tuesdays. [00:00:12] Then on Thursdays too.
[00:00:20] And now every day.</transcript>
<index><point><time>00:00:12</time><title>Thursdays</title></point></index>
</record></ROOT>"""


def record(xml: str) -> bytes:
    return f"<ROOT><record>{xml}</record></ROOT>".encode()


# --- Reading ---------------------------------------------------------------------------------


def test_a_synced_record_gives_passages_at_each_minute_and_its_index():
    parsed = ohms_parse(SYNCED)
    assert parsed.title == "Coffee mornings at the community centre"
    assert parsed.duration == 190
    starts = [start for start, _, _ in parsed.segments]
    assert starts == [0, 60, 120, 180]
    assert parsed.segments[0][2].startswith("INTERVIEWER: Tell me how")
    # Minute 1 falls on line 3 ("3(4)"): the passage from there is the second one.
    assert parsed.segments[1][2].startswith("We put a sign on the door")
    assert parsed.segments[-1][1] == 190  # the last passage runs to the end of the recording
    assert [p.title for p in parsed.points] == ["How it began", "Why people came back"]
    assert parsed.points[0].keywords == ("tea", "sign on the door")
    assert parsed.points[0].subjects == ("Isolation", "Community centres")
    assert parsed.points[1].start == 120


def test_hh_mm_ss_markers_time_the_passages():
    parsed = ohms_parse(MARKED)
    assert [(s, e, t) for s, e, t in parsed.segments] == [
        (0, 12, "We met on Tuesdays."),
        (12, 20, "Then on Thursdays too."),
        (20, 30, "And now every day."),
    ]
    assert parsed.points[0].start == 12


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"this is not xml", "not well-formed XML"),
        (b"<rss><channel/></rss>", "no <record> element"),
        (record("<title>Empty</title>"), "neither a transcript nor an index"),
        (record("<transcript>Words with no times at all.</transcript>"), "no timings"),
        (
            record("<index><point><time>5</time></point><point><time>5</time></point></index>"),
            "Two index points start at 0:05",
        ),
        (record("<index><point><time>soon</time></point></index>"), "Index point 1 has no time"),
        (record("<sync>1:|x</sync><transcript>a\nb</transcript>"), "entry OHMS does not write"),
    ],
)
def test_a_file_that_is_not_a_usable_ohms_record_is_refused_with_why(data, says):
    with pytest.raises(OhmsRefused, match=says):
        ohms_parse(data)


def test_an_external_entity_is_never_read():
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b"<ROOT><record><index><point><time>0</time><title>&secret;</title></point>"
        b"</index></record></ROOT>"
    )
    parsed = ohms_parse(hostile)
    assert "root:" not in parsed.points[0].title


# --- Importing -------------------------------------------------------------------------------


@pytest.fixture
def interview(make_story):
    """A recording waiting for its storyteller's review, with an engine's transcript."""
    story = make_story(title="Coffee mornings", kind=StoryKind.AUDIO, text="", status="draft")
    site.attach_recording(story)
    return story


def test_importing_a_record_replaces_the_transcript_and_makes_chapters(interview, curator):
    isolation = site.theme("Isolation")
    StoryChange.objects.all().delete()

    chapters = ohms_import(
        story=interview, record=ohms_parse(SYNCED), filename="oh017.xml", actor=curator
    )

    segments = list(Segment.objects.filter(transcript__story=interview).order_by("index"))
    assert [s.start for s in segments] == [0, 60, 120, 180]
    assert Transcript.objects.get(story=interview).engine == "import"
    interview.refresh_from_db()
    assert interview.status == "awaiting_review"  # the storyteller checks what came in
    assert [c.title for c in Chapter.objects.filter(story=interview)] == [
        "How it began",
        "Why people came back",
    ]
    first, second = chapters
    assert list(first.themes.all()) == [isolation]
    assert first.keyword_list == ["tea", "sign on the door", "Community centres"]
    assert [v.slug for v in second.values.all()] == ["building-relationships"]
    assert StoryChange.objects.filter(story_id=interview.pk).exists()
    assert StoryEvent.objects.filter(story_id=interview.pk, action="chapters.imported").exists()


def test_an_approved_transcript_is_never_replaced_and_nothing_is_written(make_story, curator):
    story = make_story(title="Published", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    Chapter.objects.create(story=story, start=0, title="Kept")
    before = list(Segment.objects.filter(transcript__story=story).values_list("text", flat=True))

    with pytest.raises(JobRefused, match="approved"):
        ohms_import(story=story, record=ohms_parse(SYNCED), filename="x.xml", actor=curator)

    after = list(Segment.objects.filter(transcript__story=story).values_list("text", flat=True))
    assert after == before
    assert [c.title for c in Chapter.objects.filter(story=story)] == ["Kept"]


def test_an_index_alone_gives_a_published_story_chapters(make_story, curator):
    story = make_story(title="Published", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    index_only = record("<index><point><time>3</time><title>Later on</title></point></index>")
    ohms_import(story=story, record=ohms_parse(index_only), filename="i.xml", actor=curator)
    assert [(c.start, c.title) for c in Chapter.objects.filter(story=story)] == [(3, "Later on")]
    story.refresh_from_db()
    assert story.status == "published"


def test_a_curator_uploads_a_record_from_the_admin(client, interview, curator):
    client.force_login(curator)
    address = reverse("ohms_import", args=[interview.pk])
    upload = SimpleUploadedFile("oh017.xml", SYNCED, content_type="application/xml")
    response = client.post(address, {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtailsnippets_stories_story:inspect", args=[interview.pk]
    )
    assert Chapter.objects.filter(story=interview).count() == 2


def test_a_bad_file_is_refused_on_the_page_with_its_reason(client, interview, curator):
    client.force_login(curator)
    upload = SimpleUploadedFile("notes.xml", b"<notes/>", content_type="application/xml")
    response = client.post(reverse("ohms_import", args=[interview.pk]), {"file": upload})
    assert response.status_code == 400
    assert "notes.xml: The file has no &lt;record&gt; element" in response.content.decode()
    assert not Chapter.objects.filter(story=interview).exists()


def test_only_curators_import(client, interview, storyteller, django_user_model):
    address = reverse("ohms_import", args=[interview.pk])
    staff = make_user(django_user_model, "staffer", "contributor", staff=True)
    for person in (storyteller, staff):
        client.force_login(person)
        upload = SimpleUploadedFile("oh017.xml", SYNCED, content_type="application/xml")
        response = client.post(address, {"file": upload})
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"].startswith(
            reverse("wagtailadmin_login")
        )
    assert not Chapter.objects.filter(story=interview).exists()


def test_the_story_screen_offers_the_import_and_the_export(client, interview, curator):
    client.force_login(curator)
    screen = reverse("wagtailsnippets_stories_story:inspect", args=[interview.pk])
    html = client.get(screen).content.decode()
    assert reverse("ohms_import", args=[interview.pk]) in html
    assert reverse("ohms-export", args=[interview.pk]) in html


# --- Exporting -------------------------------------------------------------------------------


def test_a_public_story_exports_as_an_ohms_record_that_reads_back(client, make_story):
    story = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    site.attach_recording(story)
    chapter = Chapter.objects.create(
        story=story, start=0, title="Arriving", synopsis="Doors open.", keywords="tea, door"
    )
    chapter.themes.set([site.theme("Isolation")])
    Chapter.objects.create(story=story, start=6, title="Staying on")

    response = client.get(reverse("ohms-export", args=[story.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "ROOT"
    ns = {"o": "https://www.weareavp.com/nunncenter/ohms"}
    assert root.findtext("o:record/o:title", namespaces=ns) == "Tuesday coffee mornings"
    assert root.findtext("o:record/o:media_url", namespaces=ns).endswith(
        links.story_media_url(story)
    )
    assert root.findtext("o:record/o:index/o:point/o:subjects", namespaces=ns) == "Isolation"

    again = ohms_parse(response.content)
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    assert [int(s) for s, _, _ in again.segments] == [int(s.start) for s in segments]
    assert [t for _, _, t in again.segments] == [s.text for s in segments]
    assert [(p.start, p.title) for p in again.points] == [(0, "Arriving"), (6, "Staying on")]
    assert again.points[0].keywords == ("tea", "door")


def test_the_export_follows_the_quotes_and_visibility_rules(client, make_story):
    unquotable = make_story(
        title="No quotes", kind=StoryKind.AUDIO, text="", consent={"quotes_allowed": False}
    )
    site.attach_recording(unquotable)
    hidden = make_story(title="Hidden", kind=StoryKind.AUDIO, text="", consent={"public": False})
    site.attach_recording(hidden)
    assert client.get(reverse("ohms-export", args=[unquotable.pk])).status_code == 403
    assert client.get(reverse("ohms-export", args=[hidden.pk])).status_code == 404
