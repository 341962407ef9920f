"""My stories: each story's status and transcription progress, and one story's page."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from public.links import ArchiveLinks, for_request
from stories.accounts import can_invite
from stories.models import Story, StoryPhoto, StoryStatus
from storyteller.journey import Step, journey
from storyteller.views._common import answers_gone, own_story, visible_stories
from transcribe.services import transcription_progress

S = StoryStatus

# What each status means for the storyteller, and what happens next.
EXPLAINED: dict[str, str] = {
    S.DRAFT: "Not finished yet.",
    S.UPLOADED: "Stored safely. It will be transcribed shortly.",
    S.TRANSCRIBING: "Being transcribed.",
    S.AWAITING_REVIEW: "Ready for you to check and approve.",
    S.APPROVED: "You approved it. It can be published if you agreed to that.",
    S.PUBLISHED: "Shared as you agreed.",
    S.WITHDRAWN: "Everything in it was deleted.",
}


@dataclass(frozen=True)
class Progress:
    story: int
    status: str
    label: str
    explained: str
    percent: int | None  # transcription progress while it runs
    problem: str  # why transcription failed, if it did
    review_url: str | None
    done: bool  # nothing more will change without the storyteller
    steps: tuple[Step, ...] = field(default=())
    tags_url: str | None = None  # where the storyteller proposes values and themes

    @property
    def as_dict(self) -> dict:
        return asdict(self)


def progress_of(stories: list[Story], links: ArchiveLinks | None = None) -> dict[int, Progress]:
    """Status, transcription progress and path of these stories, in one query for the jobs."""
    jobs = _jobs_by_story([s.pk for s in stories if s.status in (S.UPLOADED, S.TRANSCRIBING)])
    links = links or ArchiveLinks()
    result = {}
    for story in stories:
        percent, problem = jobs.get(story.pk, (None, ""))
        checked = story.status in (S.AWAITING_REVIEW, S.APPROVED, S.PUBLISHED)
        result[story.pk] = Progress(
            story=story.pk,
            status=story.status,
            label=story.get_status_display(),
            explained=EXPLAINED[story.status],
            percent=percent,
            problem=problem,
            review_url=reverse("storyteller:review", args=[story.pk]) if checked else None,
            done=story.status not in (S.UPLOADED, S.TRANSCRIBING) or bool(problem),
            steps=tuple(journey(story, percent=percent, problem=problem, links=links)),
            tags_url=reverse("coding:story", args=[story.pk]) if checked else None,
        )
    return result


def _jobs_by_story(story_ids: list[int]) -> dict[int, tuple[int | None, str]]:
    """(percent done, failure reason) of each story's transcription job."""
    if not story_ids:
        return {}

    return transcription_progress(story_ids=story_ids)


@login_required
def my_stories(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    own = list(
        visible_stories(request)
        .filter(storyteller_id=request.user.pk)
        .select_related("consent")
        .order_by("-created_at", "-id")
    )
    for_others = list(
        visible_stories(request)
        .filter(uploaded_by_id=request.user.pk, on_behalf=True)
        .select_related("consent", "storyteller__storyteller_profile")
        .order_by("-created_at", "-id")
    )
    withdrawn = Story.objects.filter(storyteller_id=request.user.pk, status=S.WITHDRAWN).order_by(
        "-withdrawn_at"
    )
    progress = progress_of(own + for_others, for_request(request))
    return render(
        request,
        "storyteller/my_stories.html",
        {
            "rows": [(s, progress[s.pk]) for s in own],
            "for_others": [(s, progress[s.pk]) for s in for_others],
            "withdrawn": withdrawn,
            "polling": any(not p.done for p in progress.values()),
            "can_invite": can_invite(request.user),
        },
    )


@login_required
def progress_json(request: HttpRequest) -> JsonResponse:
    """Progress of the signed-in person's stories, for the page's polling script."""
    stories = list(
        (
            visible_stories(request).filter(storyteller_id=request.user.pk)
            | visible_stories(request).filter(uploaded_by_id=request.user.pk, on_behalf=True)
        ).select_related("consent")
    )
    titles = {s.pk: s.title for s in stories}
    items = []
    for progress in progress_of(stories, for_request(request)).values():
        item = progress.as_dict
        # The path is drawn by the same template as the page, so the script only swaps it in.
        item["journey_html"] = render_to_string(
            "storyteller/_journey.html",
            {"steps": progress.steps, "title": titles[progress.story]},
        )
        del item["steps"]
        items.append(item)
    return JsonResponse({"stories": items}, headers={"Cache-Control": "no-store"})


@login_required
@answers_gone
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = own_story(request, pk)
    return render(
        request,
        "storyteller/story_detail.html",
        {
            "story": story,
            "progress": progress_of([story], for_request(request))[story.pk],
            "photo": StoryPhoto.objects.filter(story=story).first(),
            "history": story.consent_history.all()[:1],
        },
    )
