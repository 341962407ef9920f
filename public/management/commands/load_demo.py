"""Demo content for `make run`: a project, themes, storytellers, consented stories, collections.

The audio and video stories carry real synthesised speech (committed in public/demo/, made by
public/demo/build_recordings.py) with their transcripts, so every public page type has
something to show. Safe to run again: it finds what exists and creates only what is missing.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image

from coding.models import Tag, TagStatus
from public import links
from public.models import HomeFeaturedCollection, HomePage
from public.site_address import site_address_sync
from stories import services
from stories.changes import story_changed
from stories.chapters import chapter_save
from stories.models import (
    CollectionPage,
    CollectionStory,
    ConsentMethod,
    Project,
    ProjectMembership,
    Segment,
    Story,
    StoryKind,
    StorytellerProfile,
    Theme,
    ThemeSynonym,
    Transcript,
    Value,
)
from stories.types import User
from transcribe.formats import parse_vtt
from transcribe.models import JobState, TranscriptionJob

DEMO_FILES = Path(__file__).resolve().parents[2] / "demo"

DEMO_PASSWORD_ENV = "ARCHIVE_DEMO_PASSWORD"  # noqa: S105 (the variable's name)

PEOPLE = [
    ("amira", "Amira", "storyteller"),
    ("joe", "Joe", "storyteller"),
    ("sam", "Sam (community reporter)", "contributor"),
    ("cleo", "Cleo", "curator"),
    ("ravi", "Ravi", "researcher"),
]

THEMES = {
    "Isolation": ["loneliness", "cut off"],
    "Shielding": ["staying home", "vulnerable"],
    "Trust in services": ["confidence in services", "distrust"],
    "Getting around": ["transport", "buses"],
    "Generations together": ["intergenerational", "grandparents"],
}

STORIES = [
    {
        "slug": "the-garden-group",
        "title": "The garden group",
        "storyteller": "amira",
        "summary": "How a shared allotment brought a street together after lockdown.",
        "text": (
            "When the lockdown ended I did not know my neighbours. A few of us started a garden "
            "group on the empty lot behind the shops. Nobody was in charge; we decided things "
            "together over tea. By the summer there were thirty of us, and the loneliness I had "
            "felt all winter had gone."
        ),
        "public": True,
        "named": True,
        "theme": "Isolation",
        "value": "building-relationships",
    },
    {
        "slug": "waiting-for-a-call-back",
        "title": "Waiting for a call back",
        "storyteller": "joe",
        "summary": "Shielding alone, and what it took to be heard by services.",
        "text": (
            "I was shielding for eleven months. The letters came but the phone calls did not. "
            "When a community reporter asked me what would have helped, it was the first time "
            "anyone had asked. Trust in services is built by people who listen and come back."
        ),
        "public": True,
        "named": False,
        "theme": "Trust in services",
        "value": "mutual-respect",
    },
    {
        "slug": "notes-from-the-food-bank",
        "title": "Notes from the food bank",
        "storyteller": "amira",
        "summary": "Volunteering, and learning to ask for help too.",
        "text": (
            "I started volunteering at the food bank and ended up using it myself for a while. "
            "The training they gave volunteers taught me as much about dignity as about logistics."
        ),
        "public": False,
        "named": False,
        "theme": "Shielding",
        "value": "training",
    },
]


# Recorded stories: the media file and its captions are in public/demo/<slug>.*; `excerpts`
# tag caption lines (numbered from 0) as moments that speak to a value or theme.
RECORDED_STORIES = [
    {
        "slug": "the-bus-to-the-hospital",
        "title": "The bus to the hospital",
        "storyteller": "amira",
        "kind": StoryKind.AUDIO,
        "file": "the-bus-to-the-hospital.ogg",
        "summary": "Community reporters recorded their estate, and a bus route came back.",
        "named": True,
        "themes": ["Getting around", "Trust in services"],
        "values": ["systemic-change", "training"],
        "excerpts": [(2, "value", "training"), (4, "value", "action-orientated")],
        # The segment index: (caption line it starts at, title, synopsis, keywords).
        "chapters": [
            (0, "The route is cut", "A father stops going to his appointments.", "bus, hospital"),
            (
                2,
                "Recording the estate",
                "Community reporters take the story to the council.",
                "community reporter, council",
            ),
            (4, "The bus comes back", "", "bus"),
        ],
    },
    {
        "slug": "tuesday-coffee-mornings",
        "title": "Tuesday coffee mornings",
        "storyteller": "joe",
        "kind": StoryKind.AUDIO,
        "file": "tuesday-coffee-mornings.ogg",
        "summary": "After a bereavement, a knock on the door and a job making the tea.",
        "named": False,
        "themes": ["Isolation"],
        "values": ["building-relationships", "human"],
        "excerpts": [(3, "theme", "Isolation"), (1, "value", "reciprocity")],
        "chapters": [
            (0, "Long, quiet days", "Life after a bereavement.", "bereavement"),
            (1, "A knock on the door", "A neighbour asks for help with the chairs.", "tea"),
        ],
    },
    {
        "slug": "cooking-with-my-grandmother",
        "title": "Cooking with my grandmother",
        "storyteller": "amira",
        "kind": StoryKind.VIDEO,
        "file": "cooking-with-my-grandmother.webm",
        "summary": "A youth group, a lentil soup recipe, and being asked what you know.",
        "named": True,
        "themes": ["Generations together"],
        "values": ["learning", "mutual-respect"],
        "excerpts": [(4, "value", "mutual-respect"), (2, "theme", "Generations together")],
    },
]

# The curator's queues on the dashboard (curation.dashboard) each show something.
DESK_STORIES = [
    {
        "slug": "market-day",
        "title": "Market day",
        "storyteller": "amira",
        "summary": "The Saturday market, and the stallholders who kept an eye on everyone.",
        "text": (
            "Every Saturday the market was where I heard the news. The stallholders knew who had "
            "not come for a while and would send someone round."
        ),
        "public": True,
        "publish": False,  # approved with public consent: ready for a curator to publish
        "named": True,
        "theme": "Isolation",
        "value": "building-relationships",
    },
    {
        "slug": "the-library-stayed-open",
        "title": "The library stayed open",
        "storyteller": "joe",
        "summary": "Warm rooms, free computers and a librarian who remembered names.",
        "text": (
            "When the day centre closed, the library stayed open. I learned to video call my "
            "grandson there, with the librarian sitting beside me."
        ),
        "public": True,
        "stop_at": "awaiting_review",  # the storyteller has not checked it yet
        "named": False,
        "theme": "Generations together",
        "value": "learning",
    },
    {
        "slug": "one-summer-of-the-youth-club",
        "title": "One summer of the youth club",
        "storyteller": "amira",
        "summary": "The youth club's last summer before the building was sold.",
        "text": (
            "We painted the walls ourselves that summer. I agreed to share this story for a "
            "year, while the club decides what comes next."
        ),
        "public": True,
        "named": True,
        "expires_in_days": 20,  # consent ends soon: the storyteller gets a reminder
        "theme": "Generations together",
        "value": "challenging",
    },
]
FAILED_SLUG = "a-voice-note-from-the-bus-stop"

COLLECTIONS = [
    {
        "slug": "after-lockdown",
        "title": "After lockdown",
        "introduction": "<p>Stories of isolation, shielding and finding each other again.</p>",
        "image": (
            "after-lockdown.jpg",
            "After lockdown",
            "An illustration of allotment beds and a small shed below green hills and a "
            "low orange sun.",
        ),
        "stories": [
            "the-garden-group",
            "waiting-for-a-call-back",
            "notes-from-the-food-bank",
            "tuesday-coffee-mornings",
        ],
    },
    {
        "slug": "being-heard",
        "title": "Being heard",
        "introduction": (
            "<p>What changes when somebody asks, listens and comes back. Three stories, in "
            "the storytellers' own voices.</p>"
        ),
        "image": (
            "being-heard.jpg",
            "Being heard",
            "An illustration of three overlapping speech bubbles in rust, green and sand.",
        ),
        "stories": [
            "the-bus-to-the-hospital",
            "cooking-with-my-grandmother",
            "waiting-for-a-call-back",
        ],
    },
]


class Command(BaseCommand):
    help = "Load demo content (idempotent) and make a local admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-password", default=os.environ.get(DEMO_PASSWORD_ENV, "archive")
        )

    @transaction.atomic
    def handle(self, *args, **options):
        password = options["admin_password"]
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(password)
            admin.save()
        users = {}
        for username, display, role in PEOPLE:
            user, made = User.objects.get_or_create(username=username)
            if made:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            if role == "curator":
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            StorytellerProfile.objects.get_or_create(user=user, defaults={"display_name": display})
            users[username] = user

        project, _ = Project.objects.get_or_create(
            slug="neighbourhood-voices",
            defaults={
                "name": "Neighbourhood Voices",
                "summary": "Residents and community reporters recording life after lockdown.",
                "coproduction_type": "rich_coauthored",
                "partners": "Riverside Residents Association\nCommunity Reporters Network",
            },
        )
        ProjectMembership.objects.get_or_create(
            project=project,
            user=users["sam"],
            defaults={"role": "contributor", "credit_name": "Sam", "credit_publicly": True},
        )
        themes = {}
        for name, synonyms in THEMES.items():
            theme, _ = Theme.objects.get_or_create(name=name)
            for synonym in synonyms:
                ThemeSynonym.objects.get_or_create(theme=theme, name=synonym)
            themes[name] = theme

        stories = [self._story(spec, users, project, themes) for spec in STORIES]
        stories += [self._recorded(spec, users, project, themes) for spec in RECORDED_STORIES]
        by_slug = {story.slug: story for story in stories}

        home = HomePage.objects.first()
        if home is not None:
            for order, spec in enumerate(COLLECTIONS):
                collection = self._collection(spec, home, project, by_slug)
                HomeFeaturedCollection.objects.get_or_create(
                    page=home, collection=collection, defaults={"sort_order": order}
                )

        withdrawn = self._withdrawn(users, project)
        self._desk_queues(users, project, themes)
        site = site_address_sync()

        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(
            f"Sign in at /admin/ as admin (password: {password!r}); demo people "
            f"{', '.join(u for u, _, _ in PEOPLE)} share that password."
        )
        self.stdout.write(
            f"A story its storyteller withdrew answers 410 Gone at {links.story_url(withdrawn)}"
        )
        if site is not None:
            self.stdout.write(f"The site's address is {site.root_url} (ARCHIVE_BASE_URL).")

    def _desk_queues(self, users: dict[str, User], project, themes) -> None:
        """Something in each of the curator's queues on the dashboard (the withdrawal is
        `_withdrawn`'s): a story ready to publish, one waiting for its storyteller's review,
        one whose consent ends soon, a storyteller's tag proposal and a failed transcription."""
        for spec in DESK_STORIES:
            self._story(spec, users, project, themes)
        proposed_on = Story.objects.get(slug="the-library-stayed-open")
        Tag.objects.get_or_create(
            story=proposed_on,
            theme=themes["Generations together"],
            status=TagStatus.PROPOSED,
            defaults={"created_by": users["joe"], "memo": "My grandson taught me the computers."},
        )
        if Story.objects.filter(slug=FAILED_SLUG).exists():
            return
        teller = users["joe"]
        story = services.story_create(
            storyteller=teller,
            title="A voice note from the bus stop",
            kind=StoryKind.AUDIO,
            summary="Recorded on a phone in the wind; the transcription did not finish.",
            project=project,
        )
        story.slug = FAILED_SLUG
        with (DEMO_FILES / "the-bus-to-the-hospital.ogg").open("rb") as handle:
            story.media.save("voice-note.ogg", File(handle), save=False)
        story.save(update_fields=["slug", "media"])
        services.consent_record(
            story=story, actor=teller, method=ConsentMethod.RECORDED, archive=True
        )
        services.story_transition(story=story, target="uploaded", actor=teller)
        now = timezone.now()
        TranscriptionJob.objects.create(
            story=story,
            state=JobState.FAILED,
            attempts=3,
            run_after=now,
            queued_at=now,
            finished_at=now,
            last_error="The recording could not be decoded (demo: a failed job to re-run).",
        )

    def _withdrawn(self, users: dict[str, User], project) -> Story:
        """A published story that its storyteller then took back: only a tombstone is left."""
        teller = users["joe"]
        existing = Story.objects.filter(storyteller=teller, status="withdrawn").first()
        if existing is not None:
            return existing
        story = self._story(
            {
                "slug": "a-story-taken-back",
                "title": "A story taken back",
                "storyteller": "joe",
                "summary": "Published, then withdrawn by the person who told it.",
                "text": "This story was shown for a while, until its storyteller withdrew it.",
                "public": True,
                "named": False,
                "theme": "Isolation",
                "value": "human",
            },
            users,
            project,
            {theme.name: theme for theme in Theme.objects.all()},
        )
        return services.consent_withdraw(story=story, actor=teller)

    def _collection(self, spec, home, project, by_slug) -> CollectionPage:
        collection = CollectionPage.objects.filter(slug=spec["slug"]).first()
        if collection is None:
            collection = CollectionPage(
                title=spec["title"],
                slug=spec["slug"],
                introduction=spec["introduction"],
                project=project,
            )
            home.add_child(instance=collection)
        changed = False
        if collection.image is None:
            collection.image = self._image(*spec["image"])
            changed = True
        chosen = set(collection.collection_stories.values_list("story_id", flat=True))
        for order, slug in enumerate(spec["stories"]):
            story = by_slug[slug]
            if story.pk not in chosen:
                CollectionStory.objects.create(page=collection, story=story, sort_order=order)
                changed = True
        if changed or not collection.live:
            collection.save_revision().publish()
        return collection

    def _image(self, filename: str, title: str, description: str) -> Image:
        image = Image.objects.filter(title=title).first()
        if image is None:
            with (DEMO_FILES / filename).open("rb") as handle:
                image = Image(title=title, description=description)
                image.file.save(filename, File(handle), save=False)
                image.save()
        return image

    def _recorded(self, spec, users: dict[str, User], project, themes) -> Story:
        """An audio or video story with its recording, transcript and tagged moments."""
        story = Story.objects.filter(slug=spec["slug"]).first()
        if story is not None:
            return story
        teller = users[spec["storyteller"]]
        cues = parse_vtt((DEMO_FILES / spec["file"]).with_suffix(".vtt").read_bytes())
        story = services.story_create(
            storyteller=teller,
            title=spec["title"],
            kind=spec["kind"],
            summary=spec["summary"],
            project=project,
            told_on=timezone.localdate().replace(day=1),
        )
        story.slug = spec["slug"]
        with (DEMO_FILES / spec["file"]).open("rb") as handle:
            story.media.save(spec["file"], File(handle), save=False)
        last_end = cues[-1].end
        assert last_end is not None  # WebVTT cues always have times
        story.media_duration = round(last_end + 0.45, 2)
        story.save(update_fields=["slug", "media", "media_duration"])
        transcript = Transcript.objects.create(
            story=story,
            language="en",
            engine="import",
            duration=story.media_duration,
            approved_at=timezone.now(),
            approved_by=teller,
        )
        Segment.objects.bulk_create(
            Segment(transcript=transcript, index=i, start=c.start, end=c.end, text=c.text)
            for i, c in enumerate(cues)
            if c.start is not None and c.end is not None  # always, in WebVTT
        )
        services.consent_record(
            story=story,
            actor=teller,
            method=ConsentMethod.RECORDED,
            archive=True,
            researchers=True,
            public=True,
            quotes_allowed=True,
            attribution="named" if spec["named"] else "anonymous",
        )
        for target in ("awaiting_review", "approved"):
            services.story_transition(story=story, target=target, actor=teller)
        services.story_publish(story=story, actor=users["cleo"])
        tagger = users["sam"]
        for name in spec["themes"]:
            Tag.objects.create(story=story, theme=themes[name], created_by=tagger)
        for slug in spec["values"]:
            Tag.objects.create(story=story, value=Value.objects.get(slug=slug), created_by=tagger)
        for line, kind, code in spec["excerpts"]:
            cue = cues[line]
            term = (
                {"theme": themes[code]}
                if kind == "theme"
                else {"value": Value.objects.get(slug=code)}
            )
            Tag.objects.create(
                story=story,
                start_seconds=cue.start,
                end_seconds=cue.end,
                created_by=tagger,
                **term,
            )
        for line, title, synopsis, keywords in spec.get("chapters", ()):
            chapter_save(
                actor=teller,
                story=story,
                start=float(cues[line].start or 0.0),
                title=title,
                synopsis=synopsis,
                keywords=keywords,
            )
        story_changed(story_ids=[story.pk])
        return story

    def _story(self, spec, users: dict[str, User], project, themes) -> Story:
        existing = Story.objects.filter(slug=spec["slug"]).first()
        if existing:
            return existing
        teller = users[spec["storyteller"]]
        story = services.story_create(
            storyteller=teller,
            title=spec["title"],
            kind=StoryKind.TEXT,
            summary=spec["summary"],
            text_body=spec["text"],
            project=project,
        )
        story.slug = spec["slug"]
        story.save(update_fields=["slug"])
        services.consent_record(
            story=story,
            actor=teller,
            method=ConsentMethod.WRITTEN,
            archive=True,
            researchers=True,
            public=spec["public"],
            quotes_allowed=True,
            attribution="named" if spec["named"] else "anonymous",
            expires_at=(
                timezone.now() + datetime.timedelta(days=spec["expires_in_days"])
                if "expires_in_days" in spec
                else None
            ),
        )
        steps = ("awaiting_review", "approved")
        for target in steps[: steps.index(spec.get("stop_at", "approved")) + 1]:
            services.story_transition(story=story, target=target, actor=teller)
        if spec["public"] and spec.get("publish", True) and "stop_at" not in spec:
            services.story_publish(story=story, actor=users["cleo"])
        Tag.objects.create(story=story, theme=themes[spec["theme"]], created_by=users["sam"])
        Tag.objects.create(
            story=story, value=Value.objects.get(slug=spec["value"]), created_by=users["sam"]
        )
        return story
