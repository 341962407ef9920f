"""OAI-PMH 2.0 at /oai/: public stories as oai_dc records, collections as sets, the rest deleted.

Every answer is checked against the published OAI-PMH 2.0 and oai_dc schemas (tests/schemas).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from public import links
from public.oai import datestamp, identifier, set_spec
from stories import services
from stories.models import ConsentRecord, Story
from tests.oai_support import NS, harvestable_archive, valid_oai
from tests.public_site import tag, theme, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(make_story, storyteller, curator):
    return harvestable_archive(make_story, storyteller, curator)


def oai(client, **arguments):
    response = client.get("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return valid_oai(response.content)


def error_code(document) -> str:
    return document.xpath("/oai:OAI-PMH/oai:error/@code", namespaces=NS)[0]


def test_identify_names_the_archive_and_keeps_deleted_records_for_good(client, archive):
    document = oai(client, verb="Identify")
    assert document.xpath("//oai:baseURL/text()", namespaces=NS)[0].endswith("/oai/")
    assert document.xpath("//oai:deletedRecord/text()", namespaces=NS) == ["persistent"]
    assert document.xpath("//oai:granularity/text()", namespaces=NS) == ["YYYY-MM-DDThh:mm:ssZ"]


def test_list_records_holds_public_stories_and_marks_the_others_deleted(client, archive):
    document = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    headers = {
        h.findtext("oai:identifier", namespaces=NS): h.get("status")
        for h in document.xpath("//oai:record/oai:header", namespaces=NS)
    }
    assert headers == {
        identifier(archive["audio"].pk): None,
        identifier(archive["text"].pk): None,
        identifier(archive["withdrawn"].pk): "deleted",
        identifier(archive["unpublished"].pk): "deleted",
    }
    titles = document.xpath("//dc:title/text()", namespaces=NS)
    assert sorted(titles) == ["The garden group", "Tuesday coffee mornings"]


def test_a_deleted_record_says_nothing_but_its_identifier_datestamp_and_status(client, archive):
    document = oai(
        client,
        verb="GetRecord",
        identifier=identifier(archive["unpublished"].pk),
        metadataPrefix="oai_dc",
    )
    record = document.xpath("//oai:record", namespaces=NS)[0]
    header = record.find("oai:header", namespaces=NS)
    assert header.get("status") == "deleted"
    assert [child.tag.split("}")[1] for child in header] == ["identifier", "datestamp"]
    assert record.find("oai:metadata", namespaces=NS) is None
    # The unpublished story's title and teller are still in the database; none reaches out.
    whole = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    assert b"Quietly unpublished" not in whole
    assert b"Taken back" not in whole and b"Withdrawn story" not in whole


def test_a_public_record_carries_dublin_core_from_the_story_and_its_consent(client, archive):
    audio = archive["audio"]
    document = oai(
        client, verb="GetRecord", identifier=identifier(audio.pk), metadataPrefix="oai_dc"
    )
    dc = document.xpath("//oai_dc:dc", namespaces=NS)[0]

    def texts(name):
        return dc.xpath(f"dc:{name}/text()", namespaces=NS)

    assert texts("title") == ["Tuesday coffee mornings"]
    assert texts("creator") == ["Anonymous storyteller"]
    assert texts("type") == ["Sound"]
    assert texts("format") == ["audio/ogg"]
    assert texts("identifier") == [links.story_url(audio, full=True)]
    assert set(texts("subject")) == {value().name, theme().name}
    assert "Short quotes with credit are allowed." in texts("rights")[0]
    named = oai(
        client, verb="GetRecord", identifier=identifier(archive["text"].pk), metadataPrefix="oai_dc"
    )
    assert named.xpath("//dc:creator/text()", namespaces=NS) == ["Stella"]


def test_a_story_never_public_is_not_there_at_all(client, archive):
    document = oai(
        client,
        verb="GetRecord",
        identifier=identifier(archive["never"].pk),
        metadataPrefix="oai_dc",
    )
    assert error_code(document) == "idDoesNotExist"
    listed = client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content
    assert identifier(archive["never"].pk).encode() not in listed
    assert b"Kept for researchers" not in listed


def test_collections_are_sets_and_a_set_lists_its_stories(client, archive):
    page = archive["collection"]
    sets = oai(client, verb="ListSets")
    assert sets.xpath("//oai:setSpec/text()", namespaces=NS) == [set_spec(page.pk)]
    assert sets.xpath("//oai:setName/text()", namespaces=NS) == [page.title]
    listed = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec(page.pk))
    headers = listed.xpath("//oai:header", namespaces=NS)
    assert [h.findtext("oai:identifier", namespaces=NS) for h in headers] == [
        identifier(archive["audio"].pk),
        identifier(archive["unpublished"].pk),
    ]
    # The public story names its set; the deleted one names nothing.
    assert headers[0].findtext("oai:setSpec", namespaces=NS) == set_spec(page.pk)
    assert headers[1].find("oai:setSpec", namespaces=NS) is None


def test_resumption_tokens_walk_the_whole_list_in_pages(client, archive, settings):
    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    seen = []
    document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    while True:
        seen += document.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = document.xpath("//oai:resumptionToken", namespaces=NS)
        if not token or not token[0].text:
            break
        assert token[0].get("completeListSize") == "4"
        assert token[0].get("cursor") == str(len(seen) - 1)
        document = oai(client, verb="ListIdentifiers", resumptionToken=token[0].text)
    assert len(seen) == 4 == len(set(seen))
    assert token[0].get("cursor") == "3"  # the last page: an empty token ends the list


def test_from_and_until_choose_by_datestamp(client, archive):
    today = timezone.now().date()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    everything = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": yesterday})
    assert len(everything.xpath("//oai:header", namespaces=NS)) == 4
    until_today = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=str(today))
    assert len(until_today.xpath("//oai:header", namespaces=NS)) == 4
    late = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": tomorrow})
    assert error_code(late) == "noRecordsMatch"
    early = oai(client, verb="ListRecords", metadataPrefix="oai_dc", until=yesterday)
    assert error_code(early) == "noRecordsMatch"


def test_a_withdrawal_after_a_harvest_is_seen_by_the_next_incremental_harvest(
    client, archive, storyteller
):
    # Everything so far happened an hour ago; the last harvest was half an hour ago.
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Story.objects.update(updated_at=hour_ago, withdrawn_at=None)
    ConsentRecord.objects.update(created_at=hour_ago)
    last_harvest = datestamp(timezone.now() - datetime.timedelta(minutes=30))
    quiet = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": last_harvest})
    assert error_code(quiet) == "noRecordsMatch"
    services.consent_withdraw(story=archive["text"], actor=storyteller)
    since = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": last_harvest})
    headers = since.xpath("//oai:header", namespaces=NS)
    assert [(h.findtext("oai:identifier", namespaces=NS), h.get("status")) for h in headers] == [
        (identifier(archive["text"].pk), "deleted")
    ]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2020-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a set"}, "badArgument"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:1"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "no-such-set"},
            "noRecordsMatch",
        ),
    ],
)
def test_errors_are_the_protocols_own(client, archive, arguments, code):
    document = oai(client, **arguments)
    assert error_code(document) == code
    request = document.xpath("//oai:request", namespaces=NS)[0]
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}


def test_a_repeated_argument_is_a_bad_argument(client, archive):
    response = client.get("/oai/?verb=Identify&verb=Identify")
    assert error_code(valid_oai(response.content)) == "badArgument"


def test_harvesters_may_post_their_requests(client, archive):
    response = client.post("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    document = valid_oai(response.content)
    assert len(document.xpath("//oai:header", namespaces=NS)) == 4


def test_a_token_from_one_verb_is_refused_by_another(client, archive, settings):
    settings.ARCHIVE_OAI_PAGE_SIZE = 1
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.xpath("//oai:resumptionToken/text()", namespaces=NS)[0]
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_list_records_costs_the_same_queries_for_more_stories(client, archive, make_story):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        return len(queries)

    count()  # the first answer fills the caches every later one reads (the site, the index)
    before = count()
    for number in range(5):
        tag(make_story(title=f"More {number}"), theme=theme("Trust"), value=value())
        make_story(title=f"Untagged {number}")
    assert count() == before


def test_consent_that_ran_out_is_a_deletion_dated_when_it_ended(client, archive):
    ended = timezone.now() - datetime.timedelta(minutes=5)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Story.objects.update(updated_at=hour_ago, withdrawn_at=None)
    ConsentRecord.objects.update(created_at=hour_ago)
    ConsentRecord.objects.filter(pk=archive["text"].consent_id).update(expires_at=ended)
    since = datestamp(timezone.now() - datetime.timedelta(minutes=30))
    document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    headers = document.xpath("//oai:header", namespaces=NS)
    assert [(h.findtext("oai:identifier", namespaces=NS), h.get("status")) for h in headers] == [
        (identifier(archive["text"].pk), "deleted")
    ]
    assert headers[0].findtext("oai:datestamp", namespaces=NS) == datestamp(ended)
