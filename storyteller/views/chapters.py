"""The storyteller divides their own story into chapters (the index beside the public player)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coding.reads import tagged_excerpts
from stories.chapter_forms import chapter_desk
from storyteller.views._common import answers_gone, own_story


@login_required
@answers_gone
def chapters(request: HttpRequest, pk: int) -> HttpResponse:
    story = own_story(request, pk)
    desk = chapter_desk(request, story, tagged_excerpts(story))
    if desk.done:
        messages.success(request, desk.done)
        return redirect("storyteller:chapters", story.pk)
    return render(
        request,
        "storyteller/chapters.html",
        {"story": story, "desk": desk, "here": reverse("storyteller:chapters", args=[story.pk])},
    )
