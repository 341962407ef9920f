"""Importing a REFI-QDA project made elsewhere: its codings become proposals a curator reviews,
its codes are matched to values and themes by name or synonym, the rest proposed as new themes;
a file that is not a project says so. And a result set exported here comes back as itself."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding import imports
from coding.exports.refi import guid
from coding.models import ImportedTheme, ImportedThemeStatus, QdpxImport, Tag, TagStatus
from stories.models import StoryKind, Theme, ThemeSynonym, Value
from tests.charts_helpers import coded_archive

pytestmark = pytest.mark.django_db

TEXT = "We planted a garden. The bees came back. Nobody felt alone."


def qdpx(qde: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
    return buffer.getvalue()


def project_qde(sources: str, codes: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Elsewhere">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources>"
        '<Notes><Note guid="N1" name="memo"><PlainTextContent>Bees as a sign</PlainTextContent>'
        "</Note></Notes></Project>"
    )


def code(guid_: str, name: str) -> str:
    return f'<Code guid="{guid_}" name="{name}" isCodable="true"/>'


def coding(code_guid: str, note: str = "") -> str:
    ref = f'<NoteRef targetGUID="{note}"/>' if note else ""
    return f'<Coding guid="c-{code_guid}-{note}"><CodeRef targetGUID="{code_guid}"/>{ref}</Coding>'


def upload(client, project, data: bytes, name: str = "elsewhere.qdpx"):
    return client.post(
        reverse("coding:import"),
        {"project": project.pk, "file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def text_story(make_story):
    return make_story(title="The garden", kind=StoryKind.TEXT, text=TEXT)


def test_codes_match_by_name_or_synonym_and_the_rest_wait_as_new_themes(
    client, curator, project, text_story
):
    loneliness = Theme.objects.create(name="Loneliness", slug="loneliness")
    ThemeSynonym.objects.create(theme=loneliness, name="Feeling alone")
    value = Value.objects.get(number=1)
    sources = (
        '<TextSource guid="S1" name="the GARDEN">'
        f'<PlainTextSelection guid="P1" startPosition="21" endPosition="40">'
        f"{coding('A', 'N1')}{coding('C')}</PlainTextSelection>"
        f'<PlainTextSelection guid="P2" startPosition="41" endPosition="59">{coding("B")}'
        "</PlainTextSelection></TextSource>"
        '<TextSource guid="S2" name="Not in the archive">'
        f'<PlainTextSelection guid="P3" startPosition="0" endPosition="5">{coding("A")}'
        "</PlainTextSelection></TextSource>"
    )
    codes = code("A", value.name.upper()) + code("B", "feeling  alone") + code("C", "Pollinators")
    client.force_login(curator)
    response = upload(client, project, qdpx(project_qde(sources, codes)))
    record = QdpxImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:import_summary", args=[record.pk])
    proposed = Tag.objects.filter(status=TagStatus.PROPOSED).order_by("char_start")
    assert [(t.story, t.code, t.char_start, t.char_end) for t in proposed] == [
        (text_story, value, 21, 40),
        (text_story, loneliness, 41, 59),
    ]
    assert proposed[0].memo == "Bees as a sign" and proposed[0].created_by == curator
    assert not Tag.objects.filter(status=TagStatus.ACCEPTED).exists()
    (new,) = ImportedTheme.objects.all()
    assert new.name == "Pollinators" and new.codings[0]["char_start"] == 21
    assert record.summary["skipped"] == {"no matching story in this project": 1}
    page = client.get(response["Location"]).content.decode()
    assert "Proposed as a new theme" in page and "Not in the archive" in page
    assert "no story of this project by that name" in page

    # The curator adds the proposed theme: it exists, and its coding is a proposal now.
    client.post(
        reverse("coding:imported_theme_review", args=[new.pk]),
        {"decision": "add", "name": "Pollinators and bees"},
    )
    new.refresh_from_db()
    assert new.status == ImportedThemeStatus.ADDED and new.theme.name == "Pollinators and bees"
    assert Tag.objects.get(theme=new.theme).status == TagStatus.PROPOSED


def test_a_proposed_theme_can_be_merged_into_a_theme_or_declined(curator, project, text_story):
    trust = Theme.objects.create(name="Trust", slug="trust")
    sources = (
        f'<TextSource guid="{guid("story", text_story.pk)}" name="Renamed elsewhere">'
        f'<PlainTextSelection guid="P1" startPosition="0" endPosition="20">{coding("X")}'
        f"{coding('Y')}</PlainTextSelection></TextSource>"
    )
    record = imports.import_qdpx(
        data=qdpx(project_qde(sources, code("X", "Faith in others") + code("Y", "Noise"))),
        file_name="x.qdpx",
        project=project,
        actor=curator,
    )
    faith, noise = record.themes.order_by("name")
    assert (
        imports.imported_theme_review(imported=faith, actor=curator, decision="merge", into=trust)
        == 1
    )
    assert "Faith in others" in trust.synonym_names
    assert Tag.objects.get(theme=trust).status == TagStatus.PROPOSED
    imports.imported_theme_review(imported=noise, actor=curator, decision="decline")
    noise.refresh_from_db()
    assert noise.status == ImportedThemeStatus.DECLINED and noise.codings == []
    assert not Theme.objects.filter(name="Noise").exists()


def test_audio_selections_and_transcript_sync_points_give_times(make_story, curator, project):
    from tests.coding_helpers import recorded_story

    story = recorded_story(make_story, title="Recorded")
    value = Value.objects.get(number=2)
    sources = (
        f'<AudioSource guid="{guid("story", story.pk)}" name="Recorded">'
        '<Transcript guid="T1"><SyncPoint guid="s1" timeStamp="4000" position="0"/>'
        '<SyncPoint guid="s2" timeStamp="9500" position="40"/>'
        f'<TranscriptSelection guid="TS" fromSyncPoint="s1" toSyncPoint="s2">{coding("V")}'
        "</TranscriptSelection></Transcript>"
        f'<AudioSelection guid="AS" begin="15000" end="21000">{coding("V")}</AudioSelection>'
        f'<PlainTextSelection guid="PT" startPosition="0" endPosition="3">{coding("V")}'
        "</PlainTextSelection></AudioSource>"
    )
    record = imports.import_qdpx(
        data=qdpx(project_qde(sources, code("V", value.slug))),
        file_name="audio.qdpx",
        project=project,
        actor=curator,
    )
    times = sorted(
        Tag.objects.filter(status=TagStatus.PROPOSED).values_list("start_seconds", "end_seconds")
    )
    assert times == [(4.0, 9.5), (15.0, 21.0)]
    assert list(record.summary["skipped"]) == [
        "a character range on a recording (only its times can be matched)"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text", "a zip archive, and this one is not"),
        (None, "has no project.qde inside"),
        (qdpx("<Project><unclosed></Project>"), "is not valid XML"),
        (qdpx('<Project xmlns="urn:other"/>'), "root is not a Project"),
    ],
)
def test_a_file_that_is_not_a_project_says_what_is_wrong(client, curator, project, data, message):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("other.txt", "x")
        data = buffer.getvalue()
    client.force_login(curator)
    response = upload(client, project, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not QdpxImport.objects.exists()


def test_only_curators_import(client, contributor, project):
    client.force_login(contributor)
    assert client.get(reverse("coding:import")).status_code == 403
    assert upload(client, project, qdpx(project_qde("", ""))).status_code == 403


def test_a_result_set_exported_comes_back_as_the_same_proposals(
    client, make_story, contributor, curator, project
):
    coded = coded_archive(make_story, contributor)
    # Coded as the coding screen stores them: on segment boundaries (0-9.5 s and 4-15 s).
    Tag.objects.filter(value=coded.v1).exclude(start_seconds=None).update(
        start_seconds=0.0, end_seconds=9.5
    )
    Tag.objects.filter(value=coded.v2).update(start_seconds=4.0, end_seconds=15.0)
    client.force_login(curator)
    params = {"a": f"value:{coded.v1.pk}", "b": f"value:{coded.v2.pk}", "format": "qdpx"}
    response = client.get(reverse("charts:excerpts_export"), params)
    data = b"".join(response.streaming_content)
    exported = Tag.objects.filter(value__in=[coded.v1, coded.v2]).exclude(start_seconds=None)

    def key(tags):
        return sorted((t.story_id, t.value_id, t.start_seconds, t.end_seconds) for t in tags)

    before = key(exported)
    assert len(before) == 6  # both values on all three stories (a curator sees the closed one)
    # Imported again while they stand, nothing is proposed twice.
    again = imports.import_qdpx(data=data, file_name="back.qdpx", project=project, actor=curator)
    assert again.summary["proposed"] == 0
    assert again.summary["skipped"] == {"already coded so in the archive": 6}
    exported.delete()
    back = imports.import_qdpx(data=data, file_name="back.qdpx", project=project, actor=curator)
    assert back.summary["proposed"] == 6
    assert key(Tag.objects.filter(status=TagStatus.PROPOSED)) == before
