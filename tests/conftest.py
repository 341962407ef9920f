"""The shared cast: a storyteller, a contributor, a curator, a researcher and a stranger."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from stories import services
from stories.models import ConsentMethod, Project, ProjectMembership, StoryKind, StorytellerProfile

pytest_plugins = ["tests.browser", "tests.search_support"]


def make_user(django_user_model, username: str, *roles: str, staff: bool = False):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    user.is_staff = staff
    user.save()
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    StorytellerProfile.objects.create(user=user, display_name=username.title())
    return user


@pytest.fixture
def storyteller(django_user_model):
    return make_user(django_user_model, "stella", "storyteller")


@pytest.fixture
def contributor(django_user_model):
    return make_user(django_user_model, "connor", "contributor")


@pytest.fixture
def curator(django_user_model):
    return make_user(django_user_model, "cura", "curator", staff=True)


@pytest.fixture
def researcher(django_user_model):
    return make_user(django_user_model, "rhea", "researcher")


@pytest.fixture
def stranger(django_user_model):
    return make_user(django_user_model, "stranger")


@pytest.fixture
def project(contributor):
    project = Project.objects.create(name="Neighbourhood Voices")
    ProjectMembership.objects.create(project=project, user=contributor, role="contributor")
    return project


@pytest.fixture
def make_story(storyteller, project):
    """A text story with the given consent, moved along the workflow to `status`."""

    def make(
        *,
        title: str = "A story",
        status: str = "published",
        teller=None,
        consent: dict | None = None,
        kind: str = StoryKind.TEXT,
        text: str = "Once upon a time the garden group met on Tuesdays.",
    ):
        teller = teller or storyteller
        story = services.story_create(
            storyteller=teller, title=title, kind=kind, text_body=text, project=project
        )
        agreed = {"archive": True, "researchers": True, "public": True, "quotes_allowed": True}
        agreed.update(consent or {})
        services.consent_record(story=story, actor=teller, method=ConsentMethod.WRITTEN, **agreed)
        path = {
            "draft": [],
            "awaiting_review": ["awaiting_review"],
            "approved": ["awaiting_review", "approved"],
            "published": ["awaiting_review", "approved", "published"],
        }[status]
        for target in path:
            services.story_transition(story=story, target=target, actor=teller)
        return story

    return make


@pytest.fixture
def page_cache_on(settings, tmp_path):
    """The page cache on, on files as in production (the tests' settings turn it off)."""
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        },
    }
