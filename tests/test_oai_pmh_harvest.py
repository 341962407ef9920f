"""A real harvester (Sickle, from PyPI) harvests /oai/ over HTTP from a running server."""

from __future__ import annotations

import pytest
from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist

from public.oai import identifier, set_spec
from tests.oai_support import harvestable_archive

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def archive(make_story, storyteller, curator):
    return harvestable_archive(make_story, storyteller, curator)


def test_a_harvester_gets_public_stories_and_hears_of_the_withdrawn_one(
    live_server, archive, settings
):
    settings.ARCHIVE_OAI_PAGE_SIZE = 1  # so the harvest follows a resumption token each time
    harvester = Sickle(live_server.url + "/oai/", max_retries=0)

    assert harvester.Identify().deletedRecord == "persistent"
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats()]
    assert formats == ["oai_dc"]

    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    found = {record.header.identifier: record for record in records}
    assert set(found) == {
        identifier(archive[name].pk) for name in ("audio", "text", "withdrawn", "unpublished")
    }
    audio = found[identifier(archive["audio"].pk)]
    assert not audio.deleted
    assert audio.metadata["title"] == ["Tuesday coffee mornings"]
    assert audio.header.setSpecs == [set_spec(archive["collection"].pk)]
    for gone in ("withdrawn", "unpublished"):
        record = found[identifier(archive[gone].pk)]
        assert record.deleted
        assert not hasattr(record, "metadata")  # Sickle reads none: the record carries none
        assert "Quietly" not in record.raw and "Taken back" not in record.raw

    kept = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    assert sorted(r.metadata["title"][0] for r in kept) == [
        "The garden group",
        "Tuesday coffee mornings",
    ]

    sets = [(s.setSpec, s.setName) for s in harvester.ListSets()]
    assert sets == [(set_spec(archive["collection"].pk), archive["collection"].title)]
    in_set = harvester.ListIdentifiers(
        metadataPrefix="oai_dc", set=set_spec(archive["collection"].pk), ignore_deleted=False
    )
    assert [h.identifier for h in in_set] == [
        identifier(archive["audio"].pk),
        identifier(archive["unpublished"].pk),
    ]

    text = harvester.GetRecord(identifier=identifier(archive["text"].pk), metadataPrefix="oai_dc")
    assert text.metadata["creator"] == ["Stella"]
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier=identifier(archive["never"].pk), metadataPrefix="oai_dc")
