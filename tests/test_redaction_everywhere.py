"""A name taken out of a story is found on no address, by no role, but in the storyteller's own
view of their redactions.

The archive of the consent walk (`test_every_url_obeys_consent`: one story per consent state,
every role) gets a second line in each story that can be redacted, naming someone; the
storyteller takes the name out. Then every routed address is asked by every role, and every
body, zip member and header is searched for the name. The recordings are held back (503) until
their redacted rendition is made: that is checked here too; the rendition itself is tested by
listening to it (`test_redaction_rendition`).

The property test draws random sets of redactions over random consent states and checks the
paths that carry the words (the transcript files, the story page, search) for each role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from public import links
from search.services import outbox_drain
from stories.models import Redaction, Segment, Story, StoryKind, StoryStatus, Transcript
from stories.redactions import REDACTABLE, redaction_add, word_span
from tests import public_site as site
from tests.test_every_url_obeys_consent import (  # noqa: F401 (the fixture)
    ROLES,
    STATES,
    Archive,
    _client,
    _text,
    addresses,
    archive,
)

pytestmark = pytest.mark.django_db

NAME = "Zqbartholomew"
LINE = f"marigold and then {NAME} came round with the shopping"
OWN_PAGES = ("/my-stories/",)  # the storyteller's own screens, where they see what they took out


def _name_line(story: Story) -> None:
    transcript = Transcript.objects.get(story=story)
    tokens = LINE.split()
    step = 1.5 / len(tokens)
    Segment.objects.create(
        transcript=transcript,
        index=1,
        start=2.0,
        end=3.5,
        text=LINE,
        words=[
            {"start": 2.0 + i * step, "end": 2.0 + (i + 1) * step, "text": t, "probability": 0.9}
            for i, t in enumerate(tokens)
        ],
    )


@pytest.fixture
def redacted(archive: Archive) -> Archive:  # noqa: F811 (the fixture imported above)
    owner = archive.users["owner"]
    for story in archive.stories.values():
        if story.status not in REDACTABLE:
            continue  # a draft or withdrawn story: nothing to redact
        _name_line(story)
        start, end = word_span(Transcript.objects.get(story=story), 1, 3, 3)
        redaction_add(story=story, start=start, end=end, actor=owner, reason="My neighbour")
    outbox_drain()
    archive.segments = {
        s.pk: list(Segment.objects.filter(transcript__story=s).values_list("pk", flat=True))
        for s in archive.stories.values()
    }
    return archive


def _own_page(role: str, url: str) -> bool:
    return role == "owner" and url.startswith(OWN_PAGES)


@pytest.mark.slow
def test_no_address_shows_a_redacted_name_to_anyone(redacted):
    assert Redaction.objects.count() == 5  # every state but the draft and the withdrawn story
    urls, _walked, _unfilled = addresses(redacted)
    urls.append(f"/api/suggest?prefix={NAME.lower()[:5]}")
    leaks: list[str] = []
    errors: list[str] = []
    held: set[str] = set()
    for role in ROLES:
        client = _client(role, redacted)
        for url in urls:
            response = client.get(url)
            if response.status_code == 503 and "/story-media/" in url:
                held.add(role)  # the recording is held back until its rendition exists
                continue
            if response.status_code >= 500:
                errors.append(f"{role} {url}: {response.status_code}")
                continue
            text = _text(response)
            if NAME.lower() in text and not _own_page(role, url):
                leaks.append(f"{role} {url}")
    assert not errors, "\n".join(errors)
    assert not leaks, "\n".join(leaks[:60])
    # Everyone who may play one of the redacted recordings is refused it, the storyteller aside.
    assert held == {r for r in ROLES if r != "owner"}


def _echoes(client: Client, url: str, word: str) -> int:
    """How often a search page says `word` when asked for it (the query is echoed back)."""
    return _text(client.get(url, {"q": word})).count(word)


def test_a_search_for_the_name_finds_nothing_and_suggests_nothing(redacted):
    for role in ("public", "researcher", "curator", "owner"):
        client = _client(role, redacted)
        for page in ("/search/", "/search/research/"):
            # A name found would be shown in the results: more often than a word never said.
            assert _echoes(client, page, NAME.lower()) == _echoes(client, page, "zqneversaid")
        found = client.get("/api/search", {"q": NAME.lower(), "match": "words"}).json()
        assert found["total"] == 0, role
        typed = client.get("/api/suggest", {"prefix": NAME.lower()[:5]}).json()
        assert not [s for s in typed if NAME.lower() in s["label"].lower()], role
        near = client.get("/search/", {"q": NAME.lower()[:-1]}).content.decode().lower()
        assert NAME.lower() not in near, role


# --- The property test --------------------------------------------------------------------

WORDS = [
    "we",
    "met",
    "Zqann",
    "Zqlee",
    "at",
    "the",
    "zqmarket",
    "and",
    "Zqbob",
    "Zqday",
    "rang",
    "later",
    "about",
    "zqplots",
]


def _recorded(make_story, consent: dict, status: str) -> Story:
    story = make_story(
        title="Stall stories", kind=StoryKind.AUDIO, text="", status=status, consent=consent
    )
    site.attach_recording(story)
    line = Segment.objects.get(transcript__story=story, index=0)
    step = (line.end - line.start) / len(WORDS)
    line.text = " ".join(WORDS)
    line.words = [
        {"start": line.start + i * step, "end": line.start + (i + 1) * step, "text": w}
        for i, w in enumerate(WORDS)
    ]
    line.save()
    return story


CONSENTS = st.sampled_from(
    [
        {"public": True, "researchers": True, "archive": True, "quotes_allowed": True},
        {"public": True, "researchers": True, "archive": True, "quotes_allowed": False},
        {"public": False, "researchers": True, "archive": True, "quotes_allowed": True},
        {"public": False, "researchers": False, "archive": True, "quotes_allowed": True},
    ]
)
SPANS = st.lists(
    st.tuples(st.integers(0, len(WORDS) - 1), st.integers(0, 2)), min_size=1, max_size=4
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consent=CONSENTS,
    status=st.sampled_from([StoryStatus.APPROVED, StoryStatus.PUBLISHED]),
    spans=SPANS,
)
def test_no_redacted_word_reaches_any_role_whatever_the_spans_and_consent(
    make_story, storyteller, researcher, curator, contributor, consent, status, spans
):
    story = _recorded(make_story, consent, status)
    transcript = Transcript.objects.get(story=story)
    taken: set[str] = set()
    # Times from the words as told: word numbers move once earlier words become one mark.
    times = []
    for first, extra in spans:
        last = min(first + extra, len(WORDS) - 1)
        times.append(word_span(transcript, 0, first, last))
        taken |= set(WORDS[first : last + 1])
    for start, end in times:
        redaction_add(story=story, start=start, end=end, actor=storyteller)
    outbox_drain()
    # Words also said outside every span may rightly remain; the rest must be gone.
    kept = " ".join(Segment.objects.get(transcript__story=story, index=0).text.split())
    gone = {w for w in taken if w not in kept.split()}
    assert gone, kept
    assert set(WORDS) - taken <= set(kept.split())
    paths = [f"/transcripts/{story.pk}.{fmt}" for fmt in ("vtt", "srt", "txt", "json")] + [
        f"/api/stories/{story.pk}",
        links.story_url(story),
        f"/api/search?q={WORDS[2]}",
    ]
    for user in (None, storyteller, researcher, curator, contributor):
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                continue
            body = _text(response)
            unique = [w.lower() for w in gone if w.lower().startswith("zq")]
            if "q=" in path:  # the query is echoed back: take it out first
                body = body.replace(WORDS[2].lower(), "")
            assert not [w for w in unique if w in body], (user, path)
    Story.objects.filter(pk=story.pk).delete()
