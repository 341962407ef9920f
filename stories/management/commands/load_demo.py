"""Demo content for `make run`: a project, themes, storytellers, consented stories, a collection.

Safe to run again: it finds what exists and creates only what is missing.
"""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import HomePage
from stories import services
from stories.models import (
    CollectionPage,
    CollectionStory,
    ConsentMethod,
    Project,
    ProjectMembership,
    Story,
    StoryKind,
    StorytellerProfile,
    Tag,
    Theme,
    ThemeSynonym,
    Value,
)

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

        home = HomePage.objects.first()
        collection = CollectionPage.objects.filter(slug="after-lockdown").first()
        if collection is None and home is not None:
            collection = CollectionPage(
                title="After lockdown",
                slug="after-lockdown",
                introduction="<p>Stories of isolation, shielding and finding each other again.</p>",
                project=project,
            )
            home.add_child(instance=collection)
            for order, story in enumerate(stories):
                CollectionStory.objects.create(page=collection, story=story, sort_order=order)
            collection.save_revision().publish()

        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(
            f"Sign in at /admin/ as admin (password: {password!r}); demo people "
            f"{', '.join(u for u, _, _ in PEOPLE)} share that password."
        )

    def _story(self, spec, users, project, themes) -> Story:
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
        )
        for target in ("awaiting_review", "approved"):
            services.story_transition(story=story, target=target, actor=teller)
        if spec["public"]:
            services.story_publish(story=story, actor=users["cleo"])
        Tag.objects.create(story=story, theme=themes[spec["theme"]], created_by=users["sam"])
        Tag.objects.create(
            story=story, value=Value.objects.get(slug=spec["value"]), created_by=users["sam"]
        )
        return story
