"""OAI-PMH 2.0 at /oai/: Dublin Core records of public stories, for library harvesters.

Public stories are records (oai_dc); live public collections are sets. A story the public
could once see and no longer may (withdrawn, unpublished, consent ended) stays in the lists as a
deleted record for good (`deletedRecord` persistent), and a deleted record carries only its
identifier, datestamp and status: never a title, a name or a word of the story.

Every request is answered with HTTP 200 and the protocol's own error codes. Resumption tokens
are signed and hold where the list stopped (the last story id), so they need no storage and
a tampered token is refused as badResumptionToken.
"""

from __future__ import annotations

import datetime
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree
from lxml.builder import ElementMaker

from public import links, reads
from stories.addresses import site_host_port, site_url
from stories.models import Story, StoryKind
from stories.pages import cache_public_response
from stories.visibility import PUBLIC_AUDIENCE, story_parts

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

E = ElementMaker(namespace=OAI_NS, nsmap={None: OAI_NS, "xsi": XSI_NS})
DC = ElementMaker(namespace=DC_NS, nsmap={"dc": DC_NS})

METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
# Which arguments each verb takes: (required, optional); resumptionToken is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})
# DCMI Type Vocabulary: what a harvester files the story under.
DCMI_TYPES = {StoryKind.AUDIO: "Sound", StoryKind.VIDEO: "MovingImage", StoryKind.TEXT: "Text"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SET_SPEC = re.compile(r"^collection-(\d+)$")
_PREFIX_SHAPE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SHAPE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_TOKEN_SALT = "public.oai.resumption"  # noqa: S105  # a signing salt, not a secret


class OAIError(Exception):
    """One of the protocol's error conditions (the `code` is the protocol's own)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    """What ListIdentifiers or ListRecords asked for, and where the last answer stopped."""

    verb: str
    prefix: str
    since: datetime.datetime | None = None
    before: datetime.datetime | None = None  # exclusive
    set_id: int | None = None
    after: int = 0  # the last story id already sent
    cursor: int = 0  # how many were sent before this answer


@csrf_exempt  # harvesters POST without a session; nothing here changes anything
@require_http_methods(["GET", "HEAD", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    arguments: dict[str, str] = {}
    echo: dict[str, str] = {}
    now = timezone.now()
    try:
        for name, values in source.lists():
            if len(values) > 1:
                raise OAIError("badArgument", f"The argument {name} was given more than once.")
            arguments[name] = values[0]
        verb = arguments.pop("verb", "")
        if verb not in VERBS:
            raise OAIError("badVerb", "The verb is missing or is not an OAI-PMH 2.0 verb.")
        _check_arguments(verb, arguments)
        echo = {"verb": verb, **arguments}
        body = _answer(request, verb, arguments, now)
    except OAIError as error:
        echo = {} if error.code in ("badVerb", "badArgument") else echo
        body = [E.error(error.message, code=error.code)]
    return _respond(request, echo, body, now)


def _check_arguments(verb: str, arguments: dict[str, str]) -> None:
    required, optional = VERBS[verb]
    given = set(arguments)
    if "resumptionToken" in given:
        if verb not in RESUMABLE:
            raise OAIError("badArgument", f"{verb} takes no resumptionToken.")
        if given != {"resumptionToken"}:
            raise OAIError("badArgument", "A resumptionToken must be the only argument.")
        return
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"{verb} needs {', '.join(sorted(missing))}.")
    # Echoed in the answer's request element, so they must have the schema's own shape.
    for name, shape in (("metadataPrefix", _PREFIX_SHAPE), ("set", _SET_SHAPE)):
        if name in arguments and not shape.fullmatch(arguments[name]):
            raise OAIError("badArgument", f"{arguments[name]!r} is not a {name}.")


def _answer(
    request: HttpRequest, verb: str, arguments: dict[str, str], now: datetime.datetime
) -> list[Any]:
    if verb == "Identify":
        return [_identify(now)]
    if verb == "ListMetadataFormats":
        return [_list_metadata_formats(arguments.get("identifier"), now)]
    if verb == "ListSets":
        if "resumptionToken" in arguments:
            raise OAIError("badResumptionToken", "ListSets answers whole: it has no tokens.")
        return [_list_sets()]
    if verb == "GetRecord":
        _check_prefix(arguments["metadataPrefix"])
        story_id = _story_id(arguments["identifier"])
        item = reads.harvest_items(now).filter(pk=story_id).first()
        if item is None:
            raise OAIError("idDoesNotExist", "No record has this identifier.")
        return [E.GetRecord(*_records(request, [item], verb))]
    query = _list_query(verb, arguments)
    return [_list(request, query, now)]


# --- The answers ------------------------------------------------------------------------------


def _identify(now: datetime.datetime) -> Any:
    earliest = reads.harvest_items(now).aggregate(earliest=Min("datestamp"))["earliest"]
    return E.Identify(
        E.repositoryName(settings.WAGTAIL_SITE_NAME),
        E.baseURL(base_url()),
        E.protocolVersion("2.0"),
        E.adminEmail(settings.ARCHIVE_ADMIN_EMAIL),
        E.earliestDatestamp(datestamp(earliest or now)),
        E.deletedRecord("persistent"),
        E.granularity("YYYY-MM-DDThh:mm:ssZ"),
    )


def _list_metadata_formats(identifier: str | None, now: datetime.datetime) -> Any:
    known = identifier is None or reads.harvest_items(now).filter(pk=_story_id(identifier)).exists()
    if not known:
        raise OAIError("idDoesNotExist", "No record has this identifier.")
    return E.ListMetadataFormats(
        *(
            E.metadataFormat(E.metadataPrefix(prefix), E.schema(schema), E.metadataNamespace(ns))
            for prefix, (schema, ns) in METADATA_FORMATS.items()
        )
    )


def _list_sets() -> Any:
    collections = list(reads.live_collections())
    if not collections:
        raise OAIError("noSetHierarchy", "The archive has no public collections yet.")
    return E.ListSets(
        *(E.set(E.setSpec(set_spec(page.pk)), E.setName(page.title)) for page in collections)
    )


def _list(request: HttpRequest, query: ListQuery, now: datetime.datetime) -> Any:
    items = reads.harvest_items(now)
    if query.since is not None:
        items = items.filter(Q(datestamp__gte=query.since))
    if query.before is not None:
        items = items.filter(Q(datestamp__lt=query.before))
    if query.set_id is not None:
        items = items.filter(pk__in=reads.set_members(query.set_id))
    total = query.cursor + items.filter(pk__gt=query.after).count()
    size = settings.ARCHIVE_OAI_PAGE_SIZE
    page = list(items.filter(pk__gt=query.after)[:size])
    if not page:
        raise OAIError("noRecordsMatch", "No records match these arguments.")
    if query.verb == "ListIdentifiers":
        sets = reads.collections_of(item.pk for item in page if getattr(item, "is_public", False))
        entries = [_header(item, sets.get(item.pk, [])) for item in page]
    else:
        entries = _records(request, page, query.verb)
    sent = query.cursor + len(page)
    counts = {"completeListSize": str(total), "cursor": str(query.cursor)}
    if sent < total:
        entries.append(E.resumptionToken(_token(query, after=page[-1].pk, cursor=sent), **counts))
    elif query.cursor:  # the last part of a resumed list: an empty token ends it
        entries.append(E.resumptionToken(**counts))
    return getattr(E, query.verb)(*entries)


def _records(request: HttpRequest, items: list[Story], verb: str) -> list[Any]:
    public_ids = [item.pk for item in items if getattr(item, "is_public", False)]
    full = reads.harvest_records(public_ids)
    sets = reads.collections_of(full)
    archive = links.for_request(request)
    records = []
    for item in items:
        story = full.get(item.pk)
        if story is None:  # deleted: the header says so, and nothing else is sent
            records.append(E.record(_header(item, [])))
            continue
        records.append(
            E.record(
                _header(item, sets.get(story.pk, [])),
                E.metadata(dublin_core(story, archive.story(story, full=True))),
            )
        )
    return records


def _header(item: Story, set_ids: list[int]) -> Any:
    if not getattr(item, "is_public", False):
        return E.header(
            E.identifier(identifier(item.pk)),
            E.datestamp(datestamp(item.datestamp)),  # type: ignore[attr-defined]
            status="deleted",
        )
    return E.header(
        E.identifier(identifier(item.pk)),
        E.datestamp(datestamp(item.datestamp)),  # type: ignore[attr-defined]
        *(E.setSpec(set_spec(page_id)) for page_id in set_ids),
    )


def dublin_core(story: Story, address: str) -> Any:
    """A public story in unqualified Dublin Core: what the public page shows of it."""
    parts = story_parts(PUBLIC_AUDIENCE, story)
    terms = reads.story_terms(story)
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for element in _dc_elements(story, address, parts.attribution, parts.quotes, terms):
        root.append(element)
    return root


def _dc_elements(
    story: Story, address: str, attribution: str, quotes: bool, terms: reads.StoryTerms
) -> Iterator[Any]:
    yield DC.title(story.title)
    yield DC.creator(attribution)
    for value in terms.values:
        yield DC.subject(value.name)
    for theme in terms.themes:
        yield DC.subject(theme.name)
    if story.summary:
        yield DC.description(story.summary)
    yield DC.publisher(settings.WAGTAIL_SITE_NAME)
    if story.told_on:
        yield DC.date(story.told_on.isoformat())
    elif story.published_at:
        yield DC.date(story.published_at.date().isoformat())
    yield DC.type(DCMI_TYPES.get(StoryKind(story.kind), "Text"))
    media_type = mimetypes.guess_type(story.media.name)[0] if story.media else None
    if media_type:
        yield DC.format(media_type)
    yield DC.identifier(address)
    yield DC.language(story.language)
    if story.project is not None:
        yield DC.relation(story.project.name)
    yield DC.rights(rights_statement(quotes))


def rights_statement(quotes: bool) -> str:
    """What the storyteller's consent allows, in words a catalogue can show beside the story."""
    said = (
        "Shown with the storyteller's consent, which they may withdraw at any time. "
        "Listen, watch or read it on the archive's page."
    )
    if quotes:
        return said + " Short quotes with credit are allowed."
    return said + " The storyteller did not agree to quotes: do not quote their words."


# --- Arguments, identifiers, dates, tokens ----------------------------------------------------


def base_url() -> str:
    return site_url("/oai/")


def namespace() -> str:
    """The archive's host name: the namespace part of its OAI identifiers."""
    return site_host_port()[0]


def identifier(story_id: int) -> str:
    return f"oai:{namespace()}:story:{story_id}"


def _story_id(value: str) -> int:
    prefix = f"oai:{namespace()}:story:"
    rest = value.removeprefix(prefix)
    if rest == value or not rest.isdigit():
        raise OAIError("idDoesNotExist", "No record has this identifier.")
    return int(rest)


def set_spec(page_id: int) -> str:
    return f"collection-{page_id}"


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat", "Records come as oai_dc only.")


def _parse_date(value: str, *, until: bool) -> tuple[datetime.datetime, str]:
    """The moment a from/until argument names (an until day runs to its end), its granularity."""
    if _DAY.match(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise OAIError("badArgument", f"{value} is not a date.") from None
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        return moment + datetime.timedelta(days=1 if until else 0), "day"
    if _SECOND.match(value):
        try:
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise OAIError("badArgument", f"{value} is not a date and time.") from None
        moment = moment.replace(tzinfo=datetime.UTC)
        return moment + datetime.timedelta(seconds=1 if until else 0), "second"
    raise OAIError("badArgument", f"{value} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


def _list_query(verb: str, arguments: dict[str, str]) -> ListQuery:
    if "resumptionToken" in arguments:
        return _from_token(verb, arguments["resumptionToken"])
    _check_prefix(arguments["metadataPrefix"])
    since = before = None
    granularity = set()
    if "from" in arguments:
        since, grain = _parse_date(arguments["from"], until=False)
        granularity.add(grain)
    if "until" in arguments:
        before, grain = _parse_date(arguments["until"], until=True)
        granularity.add(grain)
    if len(granularity) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if since is not None and before is not None and since >= before:
        raise OAIError("badArgument", "from is later than until.")
    set_id = None
    if "set" in arguments:
        match = _SET_SPEC.match(arguments["set"])
        if match is None:
            raise OAIError("noRecordsMatch", "There is no such set.")
        set_id = int(match.group(1))
    return ListQuery(
        verb=verb,
        prefix=arguments["metadataPrefix"],
        since=since,
        before=before,
        set_id=set_id,
    )


def _token(query: ListQuery, *, after: int, cursor: int) -> str:
    return signing.dumps(
        {
            "v": query.verb,
            "p": query.prefix,
            "f": query.since.isoformat() if query.since else None,
            "u": query.before.isoformat() if query.before else None,
            "s": query.set_id,
            "a": after,
            "c": cursor,
        },
        salt=_TOKEN_SALT,
        compress=True,
    )


def _from_token(verb: str, token: str) -> ListQuery:
    try:
        state = signing.loads(token, salt=_TOKEN_SALT)
        if state["v"] != verb:
            raise ValueError(verb)
        return ListQuery(
            verb=verb,
            prefix=state["p"],
            since=datetime.datetime.fromisoformat(state["f"]) if state["f"] else None,
            before=datetime.datetime.fromisoformat(state["u"]) if state["u"] else None,
            set_id=state["s"],
            after=int(state["a"]),
            cursor=int(state["c"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise OAIError(
            "badResumptionToken", "This resumption token is not one the archive gave."
        ) from None


# --- The envelope -----------------------------------------------------------------------------


def _respond(
    request: HttpRequest, echo: dict[str, str], body: list[Any], now: datetime.datetime
) -> HttpResponse:
    root = E("OAI-PMH")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    root.append(E.responseDate(datestamp(now)))
    root.append(E.request(base_url(), **echo))
    for element in body:
        root.append(element)
    etree.cleanup_namespaces(root)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    response = HttpResponse(xml, content_type="text/xml; charset=utf-8")
    return cache_public_response(request, response)
