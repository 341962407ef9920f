"""Every URL the archive serves, asked by every role, leaks no story beyond its consent.

The addresses come from the URLconf itself (`django.urls.get_resolver`), the archive index
page's routes (`ArchiveIndexPage.get_subpage_urls`) and the page tree, so a new view is walked
as soon as it is routed. The admin is walked too, except Wagtail's own management of images,
documents, users, sites, workflows and the like, which hold no stories. Each parameter is
filled from the objects below (stories, tags, segments, the collection page and its revision,
taxonomy slugs); a parameter nothing here can fill drops that address, and the test checks
that no routed area is dropped entirely.

One story per consent state, each with its own marker words in every field a story has: title,
summary, written text, transcript text and words, the media file's name, a coder's memo; the
storyteller's display name (all stories are anonymous) is a marker too. Every response body
(zip files opened: REFI-QDA, spreadsheets) and every header is searched for the markers an
audience may not see, by a table written here, independent of the visibility rule it checks.
"""

from __future__ import annotations

import datetime
import io
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files import File
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.log_actions import log
from wagtail.models import Page

from coding.models import Tag, TagStatus
from public import links
from public.models import ArchiveIndexPage
from public.sitemaps import SITEMAPS
from research import chart_data
from search.services import outbox_drain
from stories import services
from stories.models import (
    Chapter,
    ConsentMethod,
    Project,
    ProjectMembership,
    Redaction,
    Segment,
    Story,
    StoryKind,
    Theme,
    Transcript,
    Value,
)
from tests import public_site as site
from tests.conftest import make_user
from transcribe.formats import FORMATS

pytestmark = pytest.mark.django_db

# --- The matrix -----------------------------------------------------------------------------

STATES = ("noconsent", "archiveonly", "researchers", "public", "expired", "sealed", "withdrawn")
ROLES = (
    "public",
    "owner",
    "otherteller",
    "contributorin",
    "contributorout",
    "researcher",
    "curator",
)
CODERS = {"contributorin", "contributorout", "researcher", "curator"}

# Who may see a story in each state (the consent model of the design notes, written out).
SEES: dict[str, set[str]] = {
    "noconsent": {"owner"},
    "archiveonly": {"owner", "contributorin", "curator"},
    "researchers": {"owner", "contributorin", "researcher", "curator"},
    "public": set(ROLES),
    "expired": {"owner"},
    "sealed": {"owner", "curator"},
    "withdrawn": set(),
}
# The storyteller is anonymous: only they and the curators who look after the archive know them.
KNOWS_THE_STORYTELLER = {"owner", "curator"}
OWNER_NAME = "Zqownername"
SHARED_WORD = "marigold"  # in every story, so searches find them all
FIELDS = ("title", "summary", "text", "words", "file", "memo")


def marker(state: str, field: str) -> str:
    return f"zq{state}{field}"


def allowed(role: str, state: str, field: str) -> bool:
    if role not in SEES[state]:
        return False
    if field == "memo":  # coders' notes: coders, and the storyteller on their own story
        return role in CODERS or role == "owner"
    return True


def forbidden_markers(role: str) -> list[str]:
    found = [
        marker(state, field)
        for state in STATES
        for field in FIELDS
        if not allowed(role, state, field)
    ]
    if role not in KNOWS_THE_STORYTELLER:
        found.append(OWNER_NAME.lower())
    return found


@dataclass
class Archive:
    stories: dict[str, Story]
    tags: list[Tag]
    segments: dict[int, list[int]]  # story id -> its segment ids
    collection: Page
    index: ArchiveIndexPage
    theme: Theme
    value: Value
    project: Project
    users: dict[str, object]


def _story(owner, project, state: str, theme: Theme, value: Value, coder, curator) -> Story:
    story = services.story_create(
        storyteller=owner,
        title=f"{SHARED_WORD} {marker(state, 'title')}",
        summary=f"{SHARED_WORD} {marker(state, 'summary')}",
        text_body=f"{SHARED_WORD} {marker(state, 'text')} in the storyteller's own words.",
        kind=StoryKind.AUDIO,
        project=project,
    )
    with site.RECORDING.open("rb") as handle:
        story.media.save(f"{marker(state, 'file')}.ogg", File(handle), save=False)
    story.media_duration = 4.0
    story.save(update_fields=["media", "media_duration"])
    transcript = Transcript.objects.create(story=story, language="en", engine="import")
    word = marker(state, "words")
    Segment.objects.create(
        transcript=transcript,
        index=0,
        start=0.0,
        end=2.0,
        text=f"{SHARED_WORD} {word} we met on Tuesdays",
        words=[{"word": word, "start": 0.0, "end": 1.0, "probability": 0.9}],
    )
    # The segment index retells the words: it carries the same marker.
    Chapter.objects.create(
        story=story, start=0.5, title=f"{SHARED_WORD} {word}", synopsis=f"{word} retold"
    )
    for code in ({"theme": theme}, {"value": value}):
        Tag.objects.create(
            story=story,
            created_by=coder,
            status=TagStatus.ACCEPTED,
            memo=f"{marker(state, 'memo')} noticed",
            **code,
        )
    log(story, "wagtail.edit", user=curator)  # the admin's history of the story
    if state == "noconsent":
        return story
    live = {"archive": True, "researchers": True, "public": True}
    consent = {
        "archiveonly": {"archive": True},
        "researchers": {"archive": True, "researchers": True},
    }.get(state, live)
    extra = {"sealed_until": timezone.now().date() + datetime.timedelta(days=30)}
    services.consent_record(
        story=story,
        actor=owner,
        method=ConsentMethod.WRITTEN,
        quotes_allowed=True,
        **consent,
        **(extra if state == "sealed" else {}),
    )
    path = ["awaiting_review", "approved"]
    if state not in ("archiveonly", "researchers"):
        path.append("published")
    for target in path:
        services.story_transition(story=story, target=target, actor=owner)
    if state == "expired":
        services.consent_record(
            story=story,
            actor=owner,
            method=ConsentMethod.WRITTEN,
            quotes_allowed=True,
            expires_at=timezone.now() - datetime.timedelta(days=1),
            **live,
        )
    if state == "withdrawn":
        services.consent_withdraw(story=story, actor=owner)
    return Story.objects.get(pk=story.pk)


@pytest.fixture
def archive(django_user_model, settings) -> Archive:
    settings.SEARCH_BACKEND = "database"
    users = {
        "owner": make_user(django_user_model, "teller", "storyteller"),
        "otherteller": make_user(django_user_model, "otherteller", "storyteller"),
        "contributorin": make_user(django_user_model, "coderin", "contributor"),
        "contributorout": make_user(django_user_model, "coderout", "contributor"),
        "researcher": make_user(django_user_model, "researcher", "researcher"),
        "curator": make_user(django_user_model, "curatorx", "curator", staff=True),
    }
    profile = users["owner"].storyteller_profile
    profile.display_name = OWNER_NAME
    profile.save()
    project = Project.objects.create(name="Allotment voices")
    ProjectMembership.objects.create(
        project=project, user=users["contributorin"], role="contributor"
    )
    theme = Theme.objects.create(name="Neighbourliness")
    value = Value.objects.get(slug="equality")
    stories = {
        state: _story(
            users["owner"], project, state, theme, value, users["contributorin"], users["curator"]
        )
        for state in STATES
    }
    collection = site.collection(list(stories.values()), title="Every state")
    outbox_drain()
    story_ids = [s.pk for s in stories.values()]
    return Archive(
        stories=stories,
        tags=list(Tag.objects.filter(story_id__in=story_ids)),
        segments={
            s: list(Segment.objects.filter(transcript__story_id=s).values_list("pk", flat=True))
            for s in story_ids
        },
        collection=collection,
        index=site.archive_index(),
        theme=theme,
        value=value,
        project=project,
        users=users,
    )


# --- The addresses --------------------------------------------------------------------------

# Wagtail's own admin areas that hold no stories (media library, people, sites, workflows,
# redirects, settings, its API for the page explorer), and views that end the session.
NOT_STORY_AREAS = re.compile(
    r"^(wagtailimages|wagtaildocs|wagtailusers|wagtailsites|wagtailadmin_workflows|"
    r"wagtailredirects|wagtailembeds|wagtailadmin_collections|wagtailforms|wagtailadmin_api|"
    r"wagtailsettings|wagtailadmin_editing_sessions|wagtailimages_chooser|wagtaildocs_chooser)"
    r"|logout|password_reset|wagtailadmin_login|sprite|javascript_catalog|dismissibles|"
    r"block_preview|error_test|wagtaildocs_serve|wagtaildocs_authenticate|"
    r"wagtailcore_authenticate|wagtailcore_login|wagtail_serve"
)


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, list]]:
    """(route, full name, parameter names) of every named pattern, depth first."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names = list(getattr(pattern.pattern, "converters", {}) or {})
            regex = getattr(pattern.pattern, "regex", None)
            if not names and regex is not None:
                names = list(regex.groupindex)
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", names


def _model_of(name: str) -> str:
    """Which kind of object a URL's ids refer to, from its name."""
    for model in ("story", "project", "theme", "value"):
        if re.search(rf"_stories_{model}:", name):
            return model
    if name.startswith("coding:tag_"):
        return "tag"
    if re.match(r"wagtailadmin_(pages|explore|choose_page)", name):
        return "page"
    return "story"


def _values(param: str, name: str, archive: Archive) -> list:
    """The values a parameter takes; [] when nothing here can fill it."""
    stories = [s.pk for s in archive.stories.values()]
    ids = {
        "story": stories,
        "tag": [t.pk for t in archive.tags],
        "project": [archive.project.pk],
        "theme": [archive.theme.pk],
        "value": [archive.value.pk],
        "page": [archive.collection.pk],
    }
    latest = archive.collection.get_latest_revision()
    named = {
        "fmt": list(FORMATS),
        "part": ["media", "photo"],
        "token": ["not-a-token"],
        "session_id": [uuid.UUID(int=1)],
        "section": list(SITEMAPS),
        "revision_id": [latest.pk],
        # Words taken out of a story (the redaction walk has some; otherwise an unknown one).
        "redaction_id": list(Redaction.objects.values_list("pk", flat=True)) or [1],
        "revision_id_a": ["earliest"],
        "revision_id_b": ["latest"],
        "parent_page_id": [archive.collection.get_parent().pk],
        "destination_id": [archive.collection.get_parent().pk],
        "page_to_move_id": [archive.collection.pk],
        "content_type_app_name": ["stories"],
        "content_type_model_name": ["collectionpage"],
        "app_label": ["stories"],
        "model_name": ["story", "collectionpage"],
        "action": [
            a.action_type
            for a in bulk_action_registry.get_bulk_actions_for_model("stories", "story")
        ],
    }
    if name == "charts:csv" and param == "slug":
        return list(chart_data.CHARTS)
    if param in named:
        return named[param]
    if param in ("pk", "story_id", "page_id", "id"):
        return ids[_model_of(name)]
    return []


def _kwargs(params: list[str], name: str, archive: Archive) -> Iterator[dict]:
    if not params:
        yield {}
        return
    if params == ["pk", "segment_id"]:
        for story_id, segments in archive.segments.items():
            for segment_id in segments:
                yield {"pk": story_id, "segment_id": segment_id}
        return
    choices = [_values(p, name, archive) for p in params]
    if any(not c for c in choices):
        return

    def product(i: int, so_far: dict) -> Iterator[dict]:
        if i == len(params):
            yield dict(so_far)
            return
        for value in choices[i]:
            so_far[params[i]] = value
            yield from product(i + 1, so_far)

    yield from product(0, {})


def _queries(name: str, archive: Archive) -> list[str]:
    """Query strings that make a view show more: searches, exports, bulk selections."""
    queries = [""]
    if re.search(r"search|suggest|choose|list|results|explore|history|index", name):
        queries.append(f"?q={SHARED_WORD}")
    if re.search(r"export|history|list", name):
        queries += ["?export=csv", "?export=xlsx"]
    if name == "oembed":  # asked about each story's page, as other sites ask
        pages = [links.story_url(s, full=True) for s in archive.stories.values()]
        queries = ["?" + urlencode({"url": page}) for page in pages]
    if name == "charts:excerpts":  # the excerpts behind a bar and behind a cell
        value, theme = f"value:{archive.value.pk}", f"theme:{archive.theme.pk}"
        queries = [f"?a={value}", f"?a={theme}", f"?a={theme}&b={value}"]
    if name == "charts:excerpts_export":  # a bar's and a cell's excerpts, downloaded
        value, theme = f"value:{archive.value.pk}", f"theme:{archive.theme.pk}"
        cells = [f"a={value}", f"a={theme}&b={value}"]
        queries = [f"?{c}&format={f}" for c in cells for f in ("csv", "qdpx")]
        queries.append(f"?a={value}&format=qdpx&recordings=embed")
    if name == "search:excerpts_export":  # what an excerpts search found, downloaded
        queries = ["?format=csv", f"?q={SHARED_WORD}&format=csv"]
        queries += [f"?q={SHARED_WORD}&format=qdpx", "?format=qdpx&recordings=embed"]
    if name == "coding:export":
        queries = ["", "?format=csv", "?format=json", "?format=qdpx", "?format=qdc"]
    if name.endswith("bulk_action") or "bulk" in name:
        queries = ["?" + "&".join(f"id={s.pk}" for s in archive.stories.values())]
    if name.endswith("chosen_multiple"):
        pages = archive.collection.get_ancestors(inclusive=True).filter(depth__gt=1)
        ids = [p.pk for p in pages]  # the collection and the home page (not the tree's root)
        if _model_of(name) == "story":
            ids = [s.pk for s in archive.stories.values()]
        queries = ["?" + "&".join(f"id={pk}" for pk in ids)]
    return queries


def addresses(archive: Archive) -> tuple[list[str], set[str], dict[str, list[str]]]:
    """Every address to ask, the URL names walked, and those nothing could fill (with their
    parameters)."""
    urls: list[str] = []
    walked: set[str] = set()
    unfilled: dict[str, list[str]] = {}
    for _route, name, params in _walk(get_resolver().url_patterns):
        if NOT_STORY_AREAS.search(name):
            continue
        made = False
        for kwargs in _kwargs(params, name, archive):
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            made = True
            urls += [url + q for q in _queries(name, archive)]
        if made:
            walked.add(name)
        else:
            unfilled[name] = params
    # The archive index page's own routes, and every page of the tree.
    index = archive.index
    slugs = {
        "story": [(s.pk, s.slug) for s in archive.stories.values()],
        "theme": [archive.theme.slug],
        "value": [archive.value.slug],
        "project": [archive.project.slug],
    }
    for pattern in index.get_subpage_urls():
        route = str(pattern.pattern)
        params = list(pattern.pattern.converters)
        if not params:
            kwargs_list = [{}]
        elif "pk" in params and "slug" in params:
            kwargs_list = [{"pk": pk, "slug": slug} for pk, slug in slugs["story"]]
        elif params == ["pk"]:
            kwargs_list = [{"pk": pk} for pk, _slug in slugs["story"]]
        else:
            kind = route.split("s/")[0]
            kwargs_list = [{"slug": slug} for slug in slugs.get(kind, [])]
        for kwargs in kwargs_list:
            path = index.reverse_subpage(pattern.name, kwargs=kwargs)
            urls.append(index.url + path)
            walked.add(f"archive-index:{pattern.name}")
    urls += [page.url for page in Page.objects.live().specific() if page.url]
    urls.append(f"{index.url}?q={SHARED_WORD}")
    return urls, walked, unfilled


# --- Reading a response -----------------------------------------------------------------------


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [body]
    if body[:4] == b"PK\x03\x04":  # a zip: REFI-QDA project, spreadsheet
        with zipfile.ZipFile(io.BytesIO(body)) as archive_file:
            parts += [archive_file.read(n) for n in archive_file.namelist()]
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return (b"\n".join(parts).decode("utf-8", "replace") + "\n" + headers).lower()


def _client(role: str, archive: Archive) -> Client:
    client = Client(raise_request_exception=False)
    if role != "public":
        client.force_login(archive.users[role])
    return client


# --- The test ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_no_address_shows_any_role_a_story_beyond_its_consent(archive):
    urls, walked, unfilled = addresses(archive)
    # Every area of the archive is walked: nothing it routes is left out for want of values.
    areas = {"coding", "storyteller", "stories", "transcribe", "api", "search", "archive_feeds"}
    assert {name.split(":")[0] for name in walked} >= areas, sorted(walked)
    assert "wagtailadmin_reports:site_history" in walked
    assert any(n.startswith("wagtailsnippets_stories_story:") for n in walked)
    assert any(n.startswith("archive-index:") for n in walked)
    leaks: list[str] = []
    errors: list[str] = []
    reached: set[tuple[str, str]] = set()
    for role in ROLES:
        client = _client(role, archive)
        forbidden = forbidden_markers(role)
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                errors.append(f"{role} {url}: {response.status_code}")
                continue
            text = _text(response)
            leaks += [f"{role} {url}: {m}" for m in forbidden if m in text]
            reached |= {(role, s) for s in STATES if marker(s, "title") in text}
    assert not errors, "\n".join(errors)
    assert not leaks, "\n".join(leaks[:100])
    # The walk reaches the stories: every role found, somewhere, each story it may see.
    expected = {(role, state) for state, roles in SEES.items() for role in roles}
    assert reached == expected, sorted(expected ^ reached)
    # Only addresses of things the archive does not have are left out.
    left_out = {n: p for n, p in unfilled.items() if not set(p) & NOT_IN_THE_ARCHIVE}
    assert not left_out, left_out


# Parameters naming things the archive has none of: Wagtail's moderation workflows and its
# tag models (the archive's themes and values are its own models, walked above).
NOT_IN_THE_ARCHIVE = {"task_state_id", "workflow_state_id", "task_id", "app_name"}
