"""The published OAI-PMH 2.0 and oai_dc schemas (tests/schemas), loaded once, for validation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from stories import services
from stories.models import StoryKind
from stories.publication import story_unpublish
from tests.public_site import attach_recording, collection, tag, theme, value

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with oai_dc.xsd beside it: a record's metadata is checked strictly too."""
    both = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{NS["oai"]}" schemaLocation="{(SCHEMAS / "OAI-PMH.xsd").as_uri()}"/>
      <xs:import namespace="{NS["oai_dc"]}" schemaLocation="{(SCHEMAS / "oai_dc.xsd").as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(both.encode(), base_url=SCHEMAS.as_uri() + "/"))


def valid_oai(content: bytes) -> etree._Element:
    """The parsed answer, after asserting it is valid OAI-PMH 2.0 (with its oai_dc records)."""
    document = etree.fromstring(content)
    schema = oai_schema()
    assert schema.validate(document), schema.error_log
    return document


def harvestable_archive(make_story, storyteller, curator) -> dict:
    """A public audio story in a collection, a public text story, a story never public, one
    withdrawn and one unpublished after being public."""
    audio = make_story(title="Tuesday coffee mornings", kind=StoryKind.AUDIO, text="")
    attach_recording(audio)
    tag(audio, theme=theme(), value=value())
    text = make_story(title="The garden group", consent={"attribution": "named"})
    never = make_story(title="Kept for researchers", consent={"public": False}, status="approved")
    withdrawn = make_story(title="Taken back by its teller")
    services.consent_withdraw(story=withdrawn, actor=storyteller)
    unpublished = make_story(title="Quietly unpublished words")
    story_unpublish(story=unpublished, actor=curator)
    page = collection([audio, unpublished])
    return {
        "audio": audio,
        "text": text,
        "never": never,
        "withdrawn": withdrawn,
        "unpublished": unpublished,
        "collection": page,
    }
